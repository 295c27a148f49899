// The popup: the investigations waiting for approval as the last check saw them (chrome.storage.local), the
// badge's text, and "Check now" (a message to the service worker, which runs one check).

import { linkFor, loadSettings, loadState } from './settings.js';

const $ = (id) => document.getElementById(id);

async function render() {
  const [settings, state, badge] = await Promise.all([loadSettings(), loadState(), chrome.action.getBadgeText({})]);
  $('badge').textContent = badge;
  $('badge').classList.toggle('problem', badge === '!');
  $('problem').hidden = !state.error;
  $('problem').textContent = state.error ? state.error.message : '';
  const list = $('pending');
  list.replaceChildren();
  const pending = state.pending ?? [];
  if (pending.length === 0) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = state.checkedAt ? 'Nothing waits for your approval.' : 'Not checked yet.';
    list.append(li);
  }
  for (const inv of pending) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = linkFor(settings, inv.id);
    a.target = '_blank';
    a.textContent = inv.computerDnsName ?? inv.machineId ?? 'a device';
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = `Investigation ${inv.id}${inv.startTime ? `, started ${new Date(inv.startTime).toLocaleString()}` : ''}`;
    li.append(a, meta);
    list.append(li);
  }
  $('checked').textContent = state.checkedAt ? `Checked ${new Date(state.checkedAt).toLocaleTimeString()}` : '';
}

$('check').addEventListener('click', async () => {
  $('check').disabled = true;
  try {
    await chrome.runtime.sendMessage({ type: 'check' });
  } finally {
    $('check').disabled = false;
    await render();
  }
});
$('options').addEventListener('click', () => chrome.runtime.openOptionsPage());
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && 'state' in changes) render();
});
await render();
