//! # mde-mock-wasm
//!
//! The Rust half of the npm package `mde-mock`: the sans-I/O engine of the mock ([`mde_mock_engine`]) as a
//! WebAssembly class for JavaScript, so that the package's three faces answer exactly as the native `mde-mock`:
//!
//! - the bin `mde-mock` (Node's `http` in front of [`MockEngine::handle`]), whose command line is read by the
//!   engine's flag table ([`flags`]): the JavaScript only does the syntax (`--flag value`, `--help`, the
//!   `MDE_MOCK_*` variables);
//! - `startMock(options)`, the same server inside a Node process;
//! - `createMockApi(options)`, an in-process `Request -> Response` handler for Node, pages, Workers and
//!   Service Workers (MSW, Playwright's `page.route`, a client's `fetch` option).
//!
//! `cargo xtask package` builds it for `wasm32-unknown-unknown` (release profile), binds it with
//! `wasm-bindgen --target web`, optimises it with binaryen's `wasm-opt`, and wraps it in the hand-written ES
//! modules of `js/`, which are what users import.
//!
//! Who does what: Rust decides everything the native binary decides (options and their errors, every answer,
//! faults, the journal, the flags and the data file); JavaScript does the I/O: the clock (`Date.now()`, passed
//! to every call), the sockets or the `Response`, the latency timer, the files. Lists (journal,
//! investigations) cross as JSON texts for `JSON.parse`; errors cross as JSON texts ([`error::Thrown`]) from
//! which the facade builds a `MockError` naming the option. The native build of this crate exists so that
//! `cargo test` runs the same logic.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod engine;
pub mod error;
pub mod flags;
pub mod memory;
pub mod reply;

pub use engine::MockEngine;
pub use error::{Kind, Thrown};
pub use flags::Invocation;
pub use reply::Reply;
