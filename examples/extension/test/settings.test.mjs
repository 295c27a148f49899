// The options' checks and the links of the notifications (settings.js), in Node: no browser needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { DEFAULT_PORTAL_LINK, checkSettings, clientOptions, linkFor, sourceOf } from '../settings.js';

test('a region needs no base URL and is reached through the host permissions of the manifest', () => {
  const { settings, origin } = checkSettings({ region: 'eu', baseUrl: '  ', portalLink: '' });
  assert.deepEqual(settings, { region: 'eu', baseUrl: '', portalLink: DEFAULT_PORTAL_LINK });
  assert.equal(origin, 'https://eu.api.security.microsoft.com/*');
  assert.deepEqual(clientOptions(settings, 't'), { region: 'eu', token: 't' });
  assert.equal(sourceOf(settings), 'https://eu.api.security.microsoft.com');
  assert.match(checkSettings({ region: 'mars' }).error, /Unknown region "mars"/);
});

test('a base URL: https anywhere, http only on this machine; its origin is the permission to ask for', () => {
  const local = checkSettings({ region: 'global', baseUrl: 'http://127.0.0.1:4010/api/whatever' });
  assert.equal(local.settings.baseUrl, 'http://127.0.0.1:4010');
  assert.equal(local.origin, 'http://127.0.0.1/*');
  assert.deepEqual(clientOptions(local.settings, 't'), { baseUrl: 'http://127.0.0.1:4010', token: 't', allowInsecureLoopback: true });
  const proxy = checkSettings({ region: 'global', baseUrl: 'https://proxy.example.com:8443' });
  assert.equal(proxy.origin, 'https://proxy.example.com/*');
  assert.equal(clientOptions(proxy.settings, 't').allowInsecureLoopback, false);
  assert.match(checkSettings({ region: 'global', baseUrl: 'http://proxy.example.com' }).error, /must start with https/);
  assert.match(checkSettings({ region: 'global', baseUrl: 'not a url' }).error, /not a URL/);
});

test('the link of a notification: the Action center by default, or a template with {id}', () => {
  assert.equal(linkFor({ portalLink: '' }, '42'), 'https://security.microsoft.com/action-center/pending');
  assert.equal(linkFor({ portalLink: 'https://portal.example/inv/{id}?x={id}' }, 'a b'), 'https://portal.example/inv/a%20b?x=a%20b');
  assert.match(checkSettings({ region: 'global', portalLink: 'http://portal.example/{id}' }).error, /https/);
});
