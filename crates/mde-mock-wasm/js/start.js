// startMock: the mock server inside a Node process, with the same engine as the bin and the handler.
import { MockApi } from './api.js';
import { engineCall } from './errors.js';
import { engineJson } from './json.js';
import { bindings } from './load.node.js';
import { serve } from './server.js';

/**
 * Starts the mock on `options.host` (default 127.0.0.1) and `options.port` (default 0: a free port). Resolves
 * with `{ url, port, api, close }` once it listens; rejects with a MockError naming a bad option, or with
 * Node's error when it cannot listen.
 */
export async function startMock(options) {
  const { MockEngine } = bindings();
  const engine = engineCall(() => MockEngine.forServer(engineJson(options), Date.now()));
  const { url, port, close } = await serve(engine, engine.host, engine.port);
  return { url, port, api: new MockApi(engine), close };
}
