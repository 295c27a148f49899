
// Appended by `cargo xtask recipes` to a copy of msw-node.test.mjs: a request that MSW does not answer fails
// the test, in MSW, before any connection is made (a request that went out would fail differently here).
import { test as probe } from 'node:test';
import { rejects as probeRejects } from 'node:assert/strict';

probe('probe: a request to another host fails in MSW and never goes out', async () => {
  await probeRejects(fetch('https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration'), /onUnhandledRequest/);
});
