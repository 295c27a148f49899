#![no_main]
//! See `mde_invariants::service_error` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::service_error(data));
