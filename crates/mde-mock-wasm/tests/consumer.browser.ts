// A browser consumer (module resolution `bundler`: no `node` export condition, so ./index.d.ts): the handler is
// there, startMock is not. Checked by `tsc --strict --noEmit`; never run.
import { createMockApi, type MockApi } from 'mde-mock';
// @ts-expect-error: startMock is Node's only
import { startMock } from 'mde-mock';

async function serviceWorker(event: { request: Request; respondWith(r: Promise<Response>): void }): Promise<void> {
  const api: MockApi = await createMockApi({ count: 5 });
  event.respondWith(api.handle(event.request));
}

void [serviceWorker, startMock];
