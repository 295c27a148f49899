//! # mde-mock
//!
//! A faithful fake of Microsoft Defender for Endpoint's List Investigations API, built on
//! [wiremock](https://docs.rs/wiremock): a library for Rust tests and the `mde-mock` binary for any CI, the
//! browser demo and Node tests. It answers like the service: same paths, query options (`$filter`, `$top`,
//! `$skip`, parsed by mde-core's own parser), bodies, errors, bearer tokens, the two rate-limit windows and
//! headers; plus what a test needs: seeded realistic data, a time scale for the limits, injected faults and
//! latency, CORS for browsers, a request journal and an admin API.
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
//! Every decision is taken by [`mde_mock_engine::Engine`], the sans-I/O engine that the npm package `mde-mock`
//! runs in WebAssembly too; this crate is its native face: a wiremock responder that hands each request to the
//! engine, and a small relay in front of wiremock ([`front`]) that enacts the connection-level faults (a
//! closed connection, a truncated body) wiremock cannot send, and keeps the memory bounded under any load by
//! taking two wiremock servers in turn and resetting the one left (wiremock keeps a copy of every request it
//! matched until it is reset; see [`MockApiBuilder::recycle_after`]). The engine's modules are re-exported here under
//! their old names.
//!
//! What it is not: a client (that is mde-core and mde-wasm) or a general OData server; it knows one entity
//! set. It reuses mde-core for `$filter` and the model, not its paging or limiter: the limits are written from
//! the service's documentation, so that the two can check each other.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod front;
mod server;

pub use mde_mock_engine::{
    admin, auth, data, error_code, faults, flags, journal, limits, live, options, Dataset, Engine, Fault,
    InvestigationUpdate, JournalEntry, LiveOff, LiveStatus, NextLinks, ODataVersion, Options, UpdateError, Window,
};
pub use server::{MockApi, MockApiBuilder, StartError, DEFAULT_RECYCLE_AFTER};
