//! # mde-core
//!
//! The sans-I/O heart of a client for Microsoft Defender for Endpoint's List Investigations API
//! (`GET /api/investigations`). It builds, parses and validates OData `$filter`s, decodes pages and errors,
//! plans paging, keeps the 100-per-minute and 1,500-per-hour limits, decides retries, and drives a whole
//! listing as one state machine that a driver pumps.
//!
//! What it is not: it does no I/O, reads no clock and draws no randomness of its own. Time comes in as
//! milliseconds since the Unix epoch (`now_ms`, what `Date.now()` gives), jitter from a seed; the driver (the
//! wasm binding, a test harness) sends the requests and sleeps. It builds for `wasm32-unknown-unknown`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod base_url;
pub mod decode;
// LEAD-PENDING pub mod error;
// LEAD-PENDING pub mod exchange;
pub mod filter;
// LEAD-PENDING pub mod get;
pub mod jitter;
pub mod limiter;
// LEAD-PENDING pub mod listing;
pub mod model;
pub mod query;
pub mod retry;
pub mod retry_after;
pub mod state;
pub mod timestamp;

// LEAD-PENDING pub use error::{Error, ErrorKind};
pub use model::{Investigation, Page};
pub use state::InvestigationState;
pub use timestamp::{Timestamp, TimestampError};
