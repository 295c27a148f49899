#![no_main]
//! See `mde_invariants::json_reader` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::json_reader(data));
