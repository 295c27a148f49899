//! # mde-wasm
//!
//! The Rust half of the npm package `mde-investigations`: a thin WebAssembly driver over
//! [`mde_core`]'s sans-I/O machines. `cargo xtask package` builds it with `wasm-bindgen` and wraps it in a
//! hand-written ES module facade (`js/`), which is what users import.
//!
//! Who does what:
//! - Rust (this crate, through mde-core) decides everything: the configuration and its errors, filters in both
//!   forms (OData text and the JS object form, translated into the core's filter builder here), the query,
//!   paging, the limiter, retries, the resume token, the origin checks, and the validation of every item of
//!   every page.
//! - JavaScript only does I/O: `fetch`, `setTimeout`, the `AbortSignal`, the token callback or credential, and
//!   it lets `JSON.parse` build the investigations from the body that Rust validated (measured: building them in
//!   Rust and converting costs 3 to 5 times more; see `BENCHMARKS.md`).
//!
//! The JS side pumps a machine step by step: `poll(now)` returns the next step as a small JSON text (send this
//! URL, wait so long, done, failed), `handleResponse(...)` takes the status, the two throttling headers and the
//! body bytes, and returns the positions of the items to deliver. A watch ([`watch::WatchHandle`], over mde-core's
//! `Watch`) is pumped the same way; its steps add `event` (the change as the JS event object, investigations
//! written by Rust), `tick` (the view is current) and `tickFailed`. Errors cross as JSON texts (see
//! [`error::ErrorInfo`]) that the facade turns into `MdeError`s.
//!
//! What it is not: it does no I/O of its own, imports nothing from the host but what `wasm-bindgen` needs,
//! and is not meant to be used from Rust (the native build exists so that `cargo test` runs its logic).
//!
//! How a request flows through the facade, this crate and mde-core: `docs/ARCHITECTURE.md` in the repository.

#![forbid(unsafe_code)]
// The wasm build (`cargo xtask package`, with `--cfg mde_size`) compiles this crate at `opt-level = 3` for the
// page validation, and every function that is not on that hot path asks for size with `#[optimize(size)]` (an
// unstable attribute; that build already uses `RUSTC_BOOTSTRAP=1` for `-Zbuild-std`). Other builds ignore both.
#![cfg_attr(mde_size, feature(optimize_attribute))]
#![warn(missing_docs)]
// The size-tuned wasm build prints every `{:?}` as nothing (`-Zfmt-debug=none`): messages quote values with
// `Quoted` instead. Clippy sees `Debug` placeholders in `write!`-like macros; `cargo xtask test` scans for the
// rest (`format!`, `panic!`, `#[error]`; `xtask/src/package.rs`). Tests may print with `{:?}`.
#![cfg_attr(not(test), warn(clippy::use_debug))]

/// The allocator of the wasm build: talc instead of Rust's default dlmalloc (smaller module, faster
/// allocation; the module is single-threaded). Measured in BENCHMARKS.md.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod api;
pub mod config;
pub mod error;
pub mod filter_object;
pub mod json;
pub mod shared;
pub mod step;
pub mod watch;
