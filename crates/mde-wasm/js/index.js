// Entry for browsers, workers, MV3 service workers and bundlers: the wasm module is inlined (./wasm/inline.js, in
// hexadecimal, turned into bytes by the engine's Uint8Array.fromHex) and instantiated synchronously here, so there
// is no init() to call, no top-level await (which service workers forbid) and no asset for a bundler to copy.
import { initSync } from './wasm/mde_wasm.js';
import { wasmBytes } from './wasm/inline.js';

initSync({ module: wasmBytes() });

export { InvestigationsClient, InvestigationList, InvestigationWatch, MdeError, TOKEN_SCOPE, validateFilter } from './client.js';
