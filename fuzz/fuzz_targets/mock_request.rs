#![no_main]
//! See `mde_invariants::mock_request` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::mock_request(data));
