#![no_main]
//! See `mde_invariants::wasm_options` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::wasm_options(data));
