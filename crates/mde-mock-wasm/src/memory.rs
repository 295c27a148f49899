//! Growing the wasm module's memory in one step before a burst of allocations (building a data set, reading a
//! large JSON text). The allocator otherwise grows it 64 KB at a time, and each `memory.grow` costs V8 a fraction
//! of a millisecond: generating 1,000,000 investigations took 16.7 s instead of 1.4 s (BENCHMARKS.md). The
//! memory is allocated and freed at once, and then reused by the allocator; where it cannot be had (wasm32 has
//! 4 GB), nothing happens and the memory grows as it would have. Native builds do nothing here.

use mde_mock_engine::Options;

/// What the engine's data set takes: about 620 bytes an investigation, measured on generated data (62 MB of wasm
/// memory for 100,000), with some room.
pub const BYTES_PER_INVESTIGATION: usize = 800;

/// What reading a JSON text takes beside the text: the parsed tree and the values read from it.
pub const BYTES_PER_JSON_BYTE: usize = 4;

/// Makes room for about `bytes` of allocations (wasm only).
pub fn reserve(bytes: usize) {
    if cfg!(target_family = "wasm") {
        let mut reserved: Vec<u8> = Vec::new();
        let _ = reserved.try_reserve_exact(bytes);
    }
}

/// Makes room for the data set of `options` (generated, or given).
pub fn reserve_for(options: &Options) {
    let items = options.investigations.as_ref().map_or(options.count, Vec::len);
    reserve(items.saturating_mul(BYTES_PER_INVESTIGATION));
}

/// Makes room for reading a JSON text of `len` bytes.
pub fn reserve_for_json(len: usize) {
    reserve(len.saturating_mul(BYTES_PER_JSON_BYTE));
}
