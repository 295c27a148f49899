#![no_main]
//! See `mde_invariants::timestamp` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::timestamp(data));
