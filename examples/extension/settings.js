// The extension's settings: what the options page saves, where they are kept, and what they mean for the
// client. Shared by the service worker, the options page and the popup; no chrome.* call outside the helpers
// at the end.

/** The view the extension keeps: the investigations that wait for someone's approval. */
export const PENDING_FILTER = { state: 'PendingApproval' };

/** The one alarm that wakes the service worker. */
export const ALARM = 'mde-approvals-tick';

/**
 * Minutes between two checks. Three calls at most per check: 3 % of the API's 100 calls a minute. Chrome runs
 * an extension's alarms at most every 30 seconds (https://developer.chrome.com/docs/extensions/reference/api/alarms).
 */
export const PERIOD_MINUTES = 1;

/**
 * Where the link of a notification goes unless the options say otherwise: the Pending tab of the Action center of
 * the Microsoft Defender portal (address from https://learn.microsoft.com/en-us/defender-office-365/mdo-sec-ops-guide),
 * whose items have "Open investigation page" (https://learn.microsoft.com/en-us/defender-xdr/m365d-autoir-results).
 * Microsoft documents no address of an investigation by its id; the options accept a link with `{id}`.
 */
export const DEFAULT_PORTAL_LINK = 'https://security.microsoft.com/action-center/pending';

/** The API hosts by region name, as the package names them (`region` option). */
export const REGIONS = {
  global: 'api.security.microsoft.com',
  us: 'us.api.security.microsoft.com',
  eu: 'eu.api.security.microsoft.com',
  uk: 'uk.api.security.microsoft.com',
  au: 'au.api.security.microsoft.com',
  swa: 'swa.api.security.microsoft.com',
  ina: 'ina.api.security.microsoft.com',
  aea: 'aea.api.security.microsoft.com',
  securitycenter: 'api.securitycenter.microsoft.com',
  gcc: 'api-gcc.securitycenter.microsoft.us',
  'gcc-high': 'api-gov.securitycenter.microsoft.us',
  dod: 'api-gov.securitycenter.microsoft.us',
};

/** Settings as saved: `{ region }` or `{ baseUrl }`, and `portalLink`. The token is apart (see `loadToken`). */
export const DEFAULT_SETTINGS = { region: 'global', baseUrl: '', portalLink: DEFAULT_PORTAL_LINK };

/** Whether a URL's host is this machine (the only place the package accepts `http:`). */
export function isLoopback(url) {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Checks what the options page is about to save. Returns `{ settings, origin }` (the origin the extension must
 * be allowed to reach, as a host permission pattern) or `{ error }`.
 */
export function checkSettings({ region, baseUrl, portalLink }) {
  const link = (portalLink ?? '').trim() || DEFAULT_PORTAL_LINK;
  let linkUrl;
  try {
    linkUrl = new URL(link.replaceAll('{id}', '0'));
  } catch {
    return { error: 'The portal link is not a URL.' };
  }
  if (linkUrl.protocol !== 'https:') return { error: 'The portal link must start with https://.' };
  const base = (baseUrl ?? '').trim();
  if (base === '') {
    if (!Object.hasOwn(REGIONS, region)) return { error: `Unknown region ${JSON.stringify(region)}.` };
    return { settings: { region, baseUrl: '', portalLink: link }, origin: `https://${REGIONS[region]}/*` };
  }
  let url;
  try {
    url = new URL(base);
  } catch {
    return { error: 'The base URL is not a URL.' };
  }
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url)))) {
    return { error: 'The base URL must start with https:// (http:// only for this machine, such as a local mock).' };
  }
  return { settings: { region, baseUrl: url.origin, portalLink: link }, origin: `${url.protocol}//${url.hostname}/*` };
}

/** What the watch is keyed on: a view belongs to one API (another base URL starts over). */
export function sourceOf(settings) {
  return settings.baseUrl || `https://${REGIONS[settings.region] ?? REGIONS.global}`;
}

/** The client's options for these settings and token (without its callbacks). */
export function clientOptions(settings, token) {
  if (settings.baseUrl) {
    return { baseUrl: settings.baseUrl, token, allowInsecureLoopback: isLoopback(new URL(settings.baseUrl)) };
  }
  return { region: settings.region, token };
}

/** The link of a notification: the portal link with `{id}` replaced by the investigation's id. */
export function linkFor(settings, id) {
  return (settings.portalLink || DEFAULT_PORTAL_LINK).replaceAll('{id}', encodeURIComponent(id));
}

// ---- storage ----

/** The saved settings (defaults for what was never saved). */
export async function loadSettings() {
  const { settings } = await chrome.storage.local.get('settings');
  return { ...DEFAULT_SETTINGS, ...settings };
}

/**
 * The pasted access token. Kept in chrome.storage.session: in memory only, never written to disk, gone when the
 * browser closes (an access token from Microsoft Entra ID lasts about an hour anyway).
 */
export async function loadToken() {
  const { token } = await chrome.storage.session.get('token');
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/**
 * What the service worker keeps between wake-ups (chrome.storage.local): `source` (the API the watch belongs to),
 * `watchToken` (the package's resume token: the view and where the next tick starts), `rateLimit` (the client's
 * limiter state), `pending` (the view, newest first), `told` (whether a view of this API was shown: its first
 * snapshot's investigations are each notified, later ones' are not), `checkedAt`, and `error` (`{ kind, message }` of the last
 * check, or null).
 */
export async function loadState() {
  const { state } = await chrome.storage.local.get('state');
  return state ?? {};
}
