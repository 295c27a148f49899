#![no_main]
//! See `mde_invariants::limiter_state` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::limiter_state(data));
