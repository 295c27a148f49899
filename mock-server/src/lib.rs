//! # mde-mock
//!
//! A faithful fake of Microsoft Defender for Endpoint's List Investigations API, built on
//! [wiremock](https://docs.rs/wiremock): a library for Rust tests and the `mde-mock` binary for any CI, the
//! browser demo and Node tests. It answers like the service: same paths, query options (`$filter`, `$top`,
//! `$skip`, parsed by mde-core's own parser), bodies, errors, bearer tokens, the two rate-limit windows and
//! headers; plus what a test needs: seeded realistic data, a time scale for the limits, injected faults and
//! latency, CORS for browsers, and a request journal.
//!
//! ```
//! use mde_mock::{Fault, MockApi};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let api = MockApi::builder().seed(1).count(500).token("t").per_minute(100).time_scale(0.01).start().await?;
//!
//! // What the service would hold, in the documented order: the oracle for a test.
//! let all = api.investigations().await;
//! assert_eq!(all.len(), 500);
//!
//! // The next data call will fail with a 503.
//! api.plan_faults([Fault::ServiceUnavailable]).await;
//! println!("point the client at {}/api/investigations with `Authorization: Bearer t`", api.uri());
//! assert!(api.journal().await.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! What it is not: a client (that is mde-core and mde-wasm) or a general OData server; it knows one entity
//! set. It reuses mde-core for `$filter` and the model, not its paging or limiter: the limits here are
//! written from the service's documentation, so that the two can check each other.
//!
//! ## How a call is answered
//! 1. `OPTIONS` anywhere: a CORS preflight (`204`). `/__admin/...`: the [admin API](admin).
//! 2. Outside `/api/`: `404 NotFound`.
//! 3. No, an empty or an unknown bearer token: `401 Unauthorized`; a forbidden one: `403 Forbidden`.
//! 4. The token's [limits]: `429 TooManyRequests` with `Retry-After` and `retry-after-ms`.
//! 5. The [fault](faults) plan or rate: `500`, `503`, `429`, a closed connection or a truncated body.
//! 6. `GET /api/investigations[?$filter&$top&$skip]`, `GET /api/investigations/{id or alert id}`; else
//!    `404`/`405`; a bad query is `400` with `code` `ODataError` (filter) or `BadRequest` (other options).
//!
//! Every answer carries `Access-Control-Allow-Origin` and `Access-Control-Expose-Headers: Retry-After,
//! retry-after-ms`. Connection-level faults are applied by a small relay before wiremock (see [`front`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
mod api;
pub mod auth;
pub mod data;
pub mod faults;
pub mod front;
pub mod journal;
pub mod limits;
mod reply;
mod rng;
mod server;
mod state;

pub use api::error_code;
pub use data::Dataset;
pub use faults::Fault;
pub use journal::JournalEntry;
pub use limits::Window;
pub use server::{MockApi, MockApiBuilder, StartError};
