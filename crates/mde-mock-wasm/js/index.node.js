// mde-mock for Node 18+: the in-process handler `createMockApi`, and `startMock`, the mock server on a port.
import { newMockApi } from './api.js';
import { bindings } from './load.node.js';

export { MockError } from './errors.js';
export { startMock } from './start.js';

/** A mock of the Investigations API as a `Request -> Response` handler; rejects with a MockError naming a bad option. */
export async function createMockApi(options) {
  return newMockApi(bindings(), options);
}
