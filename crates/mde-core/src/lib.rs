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
//!
//! How the machines, their drivers and the mock fit together, who decides what, and the facts about the API that
//! each decision rests on (with their sources): `docs/ARCHITECTURE.md` in the repository.

#![forbid(unsafe_code)]
// The wasm build (`cargo xtask package`, with `--cfg mde_size`) is tuned for size, and the page validation, the
// product's hot path, asks for speed with `#[optimize(speed)]` (an unstable attribute; that build already uses
// `RUSTC_BOOTSTRAP=1` for `-Zbuild-std`). Other builds ignore both.
#![cfg_attr(mde_size, feature(optimize_attribute))]
#![warn(missing_docs)]
// The size-tuned wasm build prints every `{:?}` as nothing (`-Zfmt-debug=none`): messages quote values with
// `Quoted` instead. Clippy sees `Debug` placeholders in `write!`-like macros; `cargo xtask test` scans for the
// rest (`format!`, `panic!`, `#[error]`; `xtask/src/package.rs`). Tests may print with `{:?}`.
#![cfg_attr(not(test), warn(clippy::use_debug))]

pub mod base_url;
mod checked;
pub mod decode;
pub mod error;
pub mod exchange;
pub mod filter;
pub mod get;
pub mod jitter;
pub mod limiter;
pub mod listing;
pub mod model;
pub mod query;
pub mod quote;
pub mod retry;
pub mod retry_after;
pub mod state;
pub mod timestamp;
pub mod watch;

pub use base_url::{BaseUrl, Region};
pub use error::{Error, ErrorKind};
pub use exchange::{Request, Response, WaitCause};
pub use filter::Filter;
pub use limiter::{RateLimitConfig, RateLimiter};
pub use listing::{Action, Listing, ListingOptions, StreamedItems};
pub use model::{Investigation, Page};
pub use query::ListQuery;
pub use quote::Quoted;
pub use retry::RetryPolicy;
pub use state::InvestigationState;
pub use timestamp::{Timestamp, TimestampError};
pub use watch::{Watch, WatchAction, WatchEvent, WatchOptions};
