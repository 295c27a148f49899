// mde-mock for pages, Workers, Service Workers and bundlers: the in-process handler `createMockApi`. (Node's
// entry, ./index.node.js, adds `startMock`; the `mde-mock` bin is ./bin/mde-mock.js.)
import { newMockApi } from './api.js';
import { bindings } from './load.browser.js';

export { MockError } from './errors.js';

/** A mock of the Investigations API as a `Request -> Response` handler; rejects with a MockError naming a bad option. */
export async function createMockApi(options) {
  return newMockApi(await bindings(), options);
}
