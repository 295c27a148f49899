#![no_main]
//! See `mde_invariants::list_query` for what must hold.

libfuzzer_sys::fuzz_target!(|data: &[u8]| mde_invariants::list_query(data));
