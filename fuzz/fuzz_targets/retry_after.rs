#![no_main]
//! See `mde_invariants::retry_after` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::retry_after(data));
