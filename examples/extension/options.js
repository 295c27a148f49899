// The options page: region or base URL, the pasted token, the link of the notifications. Saving a base URL asks
// for the permission to reach its host (optional_host_permissions), which Chrome grants only on a click.

import { DEFAULT_PORTAL_LINK, REGIONS, checkSettings, loadSettings, loadToken, sourceOf } from './settings.js';

const $ = (id) => document.getElementById(id);
const form = $('form');
const status = $('status');

for (const name of Object.keys(REGIONS)) {
  const option = document.createElement('option');
  option.value = name;
  option.textContent = `${name} (${REGIONS[name]})`;
  $('region').append(option);
}

function where() {
  return form.querySelector('input[name=where]:checked').value;
}

function toggle() {
  $('region').disabled = where() !== 'region';
  $('baseUrl').disabled = where() !== 'baseUrl';
}
for (const radio of form.querySelectorAll('input[name=where]')) radio.addEventListener('change', toggle);

function say(text, isError = false) {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

const settings = await loadSettings();
$('region').value = settings.region;
$('baseUrl').value = settings.baseUrl;
$('portalLink').value = settings.portalLink || DEFAULT_PORTAL_LINK;
form.querySelector(`input[name=where][value=${settings.baseUrl ? 'baseUrl' : 'region'}]`).checked = true;
toggle();
if (await loadToken()) $('token').placeholder = 'A token is set (paste another to replace it)';

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const checked = checkSettings({
    region: $('region').value,
    baseUrl: where() === 'baseUrl' ? $('baseUrl').value : '',
    portalLink: $('portalLink').value,
  });
  if (checked.error) return say(checked.error, true);
  const token = $('token').value.trim().replace(/^Bearer\s+/i, '');
  // Asked at once, while the click still counts as the user's gesture; the regions' hosts are in
  // host_permissions already (granted at install, no prompt).
  const allowed = checked.settings.baseUrl ? chrome.permissions.request({ origins: [checked.origin] }) : Promise.resolve(true);
  allowed
    .then(async (granted) => {
      if (!granted) return say(`Not saved: the extension was not allowed to reach ${checked.settings.baseUrl}.`, true);
      // A token is for the API it was pasted for: moving to or from a base URL of your own forgets it, unless a
      // new one comes with the move (the regions are Microsoft's hosts of one API, which take the same tokens).
      const before = await loadSettings();
      const moved = sourceOf(before) !== sourceOf(checked.settings) && (before.baseUrl || checked.settings.baseUrl);
      if (moved && !token) await chrome.storage.session.remove('token');
      // Settings first: the service worker checks on each change, and a new token must not go to the old API.
      await chrome.storage.local.set({ settings: checked.settings });
      if (token) await chrome.storage.session.set({ token });
      $('token').value = '';
      $('token').placeholder = (await loadToken()) ? 'A token is set (paste another to replace it)' : 'eyJ0eXAiOiJKV1Qi...';
      say(`Saved at ${new Date().toLocaleTimeString()}; checking now.`);
    })
    .catch((e) => say(`Not saved: ${e.message}`, true));
});
