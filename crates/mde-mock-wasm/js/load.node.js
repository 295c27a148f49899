// The wasm module for Node: read from the file next to this one and instantiated synchronously, once.
import { readFileSync } from 'node:fs';
import * as wasm from './wasm/mde_mock_wasm.js';

let ready = false;

/** The wasm module's exports, instantiated on first use. */
export function bindings() {
  if (!ready) {
    wasm.initSync({ module: readFileSync(new URL('./wasm/mde_mock_wasm_bg.wasm', import.meta.url)) });
    ready = true;
  }
  return wasm;
}
