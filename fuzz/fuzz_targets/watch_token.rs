#![no_main]
//! See `mde_invariants::watch_token` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::watch_token(data));
