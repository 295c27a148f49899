#![no_main]
//! See `mde_invariants::filter` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::filter(data));
