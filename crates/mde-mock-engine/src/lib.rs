//! # mde-mock-engine
//!
//! The decisions of `mde-mock`, the fake of Microsoft Defender for Endpoint's List Investigations API, as one
//! sans-I/O value: an [`Engine`] takes a [`Request`] and the time, and gives the [`Reply`] to send (status,
//! headers, body, the latency to wait first) or the [`ConnectionFault`] to enact. The data set, `$filter`,
//! `$top` and `$skip` (parsed by mde-core), bearer tokens, both rate-limit windows, injected faults, the
//! journal, the [live] world and the whole admin API live here. It reads no clock, draws no randomness of its
//! own (everything "random" comes from the seed), opens no socket and starts no runtime, so it builds for
//! `wasm32-unknown-unknown`.
//!
//! ```
//! use mde_mock_engine::{Engine, Options, Request};
//!
//! let options = Options { count: 50, now: Some("2026-11-27T12:00:00Z".parse().unwrap()), ..Options::default() };
//! let mut engine = Engine::new(options, 1_795_000_000_000).unwrap();
//! let request = Request::get("/api/investigations", Some("$top=2")).with_authorization("Bearer any-token");
//! let reply = engine.handle(1_795_000_000_000, &request);
//! assert_eq!(reply.status, 200);
//! assert_eq!(reply.header("odata-version"), Some("4.0"));
//! assert_eq!(engine.journal().len(), 1);
//! ```
//!
//! It has three faces, each a thin driver: `mde-mock` (crate and binary: wiremock and a TCP relay for the
//! connection faults), the npm package `mde-mock` (this engine in WebAssembly behind Node's `http`), and that
//! package's in-process `Request -> Response` handler. What it is not: a general OData server (it knows one
//! entity set), or a client (that is mde-core). How it sits beside the client's machines:
//! `docs/ARCHITECTURE.md` in the repository; the evidence for each behaviour: `mock-server/FIDELITY.md`.
//!
//! ## How a call is answered
//! 0. In [live] mode (`--live`), the world is first brought to the call's time: investigations arrive and
//!    change state over (scaled) time, deterministically per seed.
//! 1. `/__admin/...`: the [admin API](admin) (no token, no limits, no faults, no latency, not journaled).
//! 2. `OPTIONS` anywhere else: a CORS preflight (`204`).
//! 3. Outside `/api/` (and `/api/v1.0/`): `404 NotFound`.
//! 4. No, an empty or an unknown bearer token: `401 Unauthorized`; a forbidden one: `403 Forbidden`.
//! 5. The [limits] of the token's quota (the application's in its tenant for a JWT): `429 TooManyRequests` with
//!    `Retry-After` (and `retry-after-ms` when asked for).
//! 6. The [fault](faults) plan or rate: `500`, `503`, `429`, a CPU throttle, a closed connection or a truncated
//!    body.
//! 7. `GET /api/investigations[?$filter&$top&$skip]` (OData 4.0 unless [`ODataVersion::V401`]; pages read
//!    without `$top` link to the next, see [`NextLinks`]), `GET /api/investigations/{id or alert id}`,
//!    `GET /api/$metadata`; else `404`/`405`; a bad query is `400` with `code` `ODataError`.
//!
//! 8. With `--bandwidth` or `--first-byte-ms`, the body of every answer outside `/__admin/` (errors too; not a
//!    faulted one) is [paced](pacing): the head at once, the body in chunks over time.
//!
//! Every answer carries `Access-Control-Allow-Origin` and `Access-Control-Expose-Headers: Retry-After,
//! retry-after-ms`; the API's carry `OData-Version: 4.0`. What the service does and the evidence for each
//! behaviour: `mock-server/FIDELITY.md` in the repository.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
mod api;
pub mod auth;
pub mod data;
mod engine;
pub mod faults;
pub mod flags;
pub mod journal;
pub mod limits;
pub mod live;
pub mod metadata;
pub mod odata;
pub mod options;
pub mod pacing;
mod reply;
mod request;
mod rng;

pub use api::error_code;
pub use data::{Dataset, InvestigationUpdate, UpdateError};
pub use engine::Engine;
pub use faults::Fault;
pub use journal::JournalEntry;
pub use limits::Window;
pub use live::{LiveOff, LiveStatus};
pub use odata::{NextLinks, ODataVersion};
pub use options::{Listen, Options, OptionsError};
pub use pacing::Pacing;
pub use reply::{correlation_id, Cors, EXPOSED_HEADERS, JSON_CONTENT_TYPE, ODATA_CONTENT_TYPE, XML_CONTENT_TYPE};
pub use request::{ConnectionFault, Reply, Request};
