// Entry for Node 18+: reads the wasm module next to this file and instantiates it synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from './wasm/mde_wasm.js';

initSync({ module: readFileSync(new URL('./wasm/mde_wasm_bg.wasm', import.meta.url)) });

export { InvestigationsClient, InvestigationList, InvestigationWatch, MdeError, TOKEN_SCOPE, validateFilter } from './client.js';
