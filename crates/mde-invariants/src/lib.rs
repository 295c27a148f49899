//! # mde-invariants
//!
//! What mde-core's readers of untrusted bytes (from the network, or from a user) must guarantee, each stated as a
//! function of the bytes that panics when it does not hold: no panic inside mde-core, round trips where they
//! exist (a filter printed and parsed again is the same filter; a resume token read and written again reads the
//! same), agreement between the readers that must agree, and independent oracles (`serde_json` for JSON, the
//! `url` crate for the origin checks). The npm package's options, read by mde-wasm, are covered too, and so are
//! the requests the mock's engine (mde-mock-engine) answers.
//!
//! Three users: the fuzz targets in `fuzz/` (cargo-fuzz and libFuzzer, `cargo xtask fuzz`), which hand each
//! function the fuzzer's bytes; this crate's tests, which replay the seed corpora of `fuzz/seeds/` (and so run
//! in `cargo test --workspace`); and property tests over generated input (`tests/base_url_oracle.rs`).
//!
//! Every function takes any bytes: input that is not UTF-8, where the reader takes text, is checked to be
//! refused or skipped as the reader's contract says.

pub mod base_url;
pub mod json;
pub mod limiter;
pub mod mock_request;
pub mod page;
pub mod query;
pub mod resume_token;
pub mod retry_after;
pub mod service_error;
pub mod timestamp;
pub mod wasm_options;
pub mod watch_token;

pub use base_url::base_url;
pub use json::json_reader;
pub use limiter::limiter_state;
pub use mock_request::mock_request;
pub use page::page;
pub use query::{filter, list_query};
pub use resume_token::resume_token;
pub use retry_after::retry_after;
pub use service_error::service_error;
pub use timestamp::timestamp;
pub use wasm_options::wasm_options;
pub use watch_token::watch_token;

/// An invariant: panics when it does not hold for the bytes.
pub type Invariant = fn(&[u8]);

/// Every target: its name (the fuzz target's and the seed directory's) and its function.
pub const TARGETS: &[(&str, Invariant)] = &[
    ("base_url", base_url),
    ("filter", filter),
    ("json_reader", json_reader),
    ("limiter_state", limiter_state),
    ("list_query", list_query),
    ("mock_request", mock_request),
    ("page", page),
    ("resume_token", resume_token),
    ("retry_after", retry_after),
    ("service_error", service_error),
    ("timestamp", timestamp),
    ("wasm_options", wasm_options),
    ("watch_token", watch_token),
];

/// `data` as text, when it is UTF-8.
fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
