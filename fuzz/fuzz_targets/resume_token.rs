#![no_main]
//! See `mde_invariants::resume_token` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::resume_token(data));
