//! # mde-conformance
//!
//! Property-based conformance of the client core (`mde-core`) and the fake service (`mde-mock`) against an
//! independent [`oracle`]: "every investigation that matches your filter, exactly once, never a 429 that we
//! caused, and your token never leaves the host you named".
//!
//! - [`oracle`]: data sets, filters with their meaning, the documented order and paging, expected errors;
//!   it shares no code with mde-core or mde-mock;
//! - [`driver`]: the thin native driver (reqwest + tokio) that pumps mde-core's `Listing`;
//! - [`harness`]: what the integration tests in `tests/tests/` share.
//!
//! What it is not: a library for users. The benchmark of the listing against the limits is
//! `cargo run --release -p mde-conformance --example throughput`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod driver;
pub mod harness;
pub mod oracle;
