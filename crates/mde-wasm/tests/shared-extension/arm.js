// Shared by the extension's page and its service worker: `arm(options)` loads nothing more, listens for `go` on a
// BroadcastChannel and then runs one shared listing; `globalThis.__done` resolves to its result.
import { runShared } from './shared-lib.js';
import * as api from './pkg/index.js';

globalThis.__arm = (options) => {
  globalThis.__done = new Promise((resolve) => {
    const go = new BroadcastChannel('go');
    go.onmessage = () => {
      go.close();
      resolve(runShared(api, options));
    };
  });
  return true;
};
globalThis.__go = () => {
  const go = new BroadcastChannel('go');
  go.postMessage('go');
  go.close();
  return true;
};
