#![no_main]
//! See `mde_invariants::page` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::page(data));
