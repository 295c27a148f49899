#![no_main]
//! See `mde_invariants::base_url` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::base_url(data));
