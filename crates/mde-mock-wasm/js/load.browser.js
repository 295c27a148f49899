// The wasm module for pages, Workers and Service Workers: fetched from next to the glue
// (`new URL('mde_mock_wasm_bg.wasm', import.meta.url)`, which bundlers recognise and copy) and compiled while
// it streams, once. No Node built-ins, no top-level await.
import init, * as wasm from './wasm/mde_mock_wasm.js';

let ready;

/** A promise of the wasm module's exports; a failed load is tried again on the next call. */
export function bindings() {
  ready ??= init().then(
    () => wasm,
    (e) => {
      ready = undefined;
      throw e;
    },
  );
  return ready;
}
