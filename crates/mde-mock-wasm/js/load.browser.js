// The wasm module for pages, Workers and Service Workers: fetched from next to the glue and compiled while it
// streams, once (`new URL('..._bg.wasm', import.meta.url)`, which bundlers recognise and copy). No Node built-ins
// are imported and there is no top-level await.
import init, * as wasm from './wasm/mde_mock_wasm.js';

/**
 * The module's bytes when this entry runs in Node after all (a test runner with browser export conditions, such
 * as a jsdom environment), where `fetch` cannot read a `file:` URL: read through `process.getBuiltinModule`
 * (Node 20.16 and later), which no bundler mistakes for an import. Undefined anywhere else.
 */
function bytesInNode() {
  const url = new URL('./wasm/mde_mock_wasm_bg.wasm', import.meta.url);
  if (url.protocol !== 'file:') return undefined;
  return globalThis.process?.getBuiltinModule?.('node:fs')?.readFileSync(url);
}

let ready;

/** A promise of the wasm module's exports; a failed load is tried again on the next call. */
export function bindings() {
  if (!ready) {
    const bytes = bytesInNode();
    ready = init(bytes === undefined ? undefined : { module_or_path: bytes }).then(
      () => wasm,
      (e) => {
        ready = undefined;
        throw e;
      },
    );
  }
  return ready;
}
