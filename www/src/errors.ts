// Error banners: one clear message per `MdeError` kind, with what to do about it.

import { MdeError } from 'mde-investigations';

/** What the page needs of an error, whatever was thrown. */
export interface ErrorLike {
  kind: string;
  message: string;
  status?: number;
  code?: string;
  target?: string;
  retryAfterMs?: number;
  position?: number;
}

/** Reads an `MdeError` (or anything else that was thrown) into an [`ErrorLike`]. */
export function asMdeError(e: unknown): ErrorLike {
  if (e instanceof MdeError) return e as ErrorLike;
  if (e && typeof e === 'object' && 'kind' in e && typeof (e as { kind: unknown }).kind === 'string') {
    return e as ErrorLike;
  }
  if (e instanceof DOMException && e.name === 'AbortError') return { kind: 'Aborted', message: e.message };
  return { kind: 'Unexpected', message: e instanceof Error ? e.message : String(e) };
}

/**
 * The permissions the List Investigations API asks for (its page, revised 2025-11-11:
 * https://learn.microsoft.com/en-us/defender-endpoint/api/get-investigation-collection).
 */
export const PERMISSIONS =
  'Application: Alert.ReadWrite.All; Delegated (work or school account): Alert.ReadWrite, and a signed-in user ' +
  'needs at least the "View Data" role.';

/** A banner: a title, a sentence about what to do, and the service's details. */
export interface Banner {
  kind: string;
  severity: 'error' | 'warning' | 'info';
  title: string;
  advice: string;
  details: string;
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'a while' : `${(ms / 1000).toFixed(1)} s`;
}

function details(e: ErrorLike): string {
  const parts = [e.message];
  if (e.status !== undefined) parts.push(`HTTP ${e.status}`);
  if (e.code) parts.push(`code ${e.code}`);
  if (e.target) parts.push(`correlation id ${e.target}`);
  return parts.join(' · ');
}

/** The banner for an error that ended a listing, by its kind. */
export function bannerFor(e: ErrorLike, where: string): Banner {
  const d = details(e);
  const b = (severity: Banner['severity'], title: string, advice: string): Banner => ({
    kind: e.kind,
    severity,
    title,
    advice,
    details: d,
  });
  switch (e.kind) {
    case 'Unauthorized':
      return b(
        'error',
        'The token was refused (401 Unauthorized)',
        'Get a new token (they last one hour; scope https://api.securitycenter.microsoft.com/.default) and paste it under Connection.',
      );
    case 'Forbidden':
      return b('error', 'The token lacks a permission (403 Forbidden)', `The app needs one of: ${PERMISSIONS}`);
    case 'Throttled':
      return b(
        'error',
        'Throttled by the service (429 Too Many Requests)',
        `The service asked to wait ${seconds(e.retryAfterMs)}, longer than this page waits. Try again after that.`,
      );
    case 'InvalidQuery':
      return b('error', 'The filter is not valid', 'Fix the filter: nothing was sent.');
    case 'InvalidConfig':
      return b('error', 'The connection settings are not valid', 'Check the service, base URL and token under Connection.');
    case 'NotFound':
      return b('error', 'Not found (404)', `Check the base URL (${where}): it should be the API's host, without /api.`);
    case 'Server':
      return b('error', 'The service failed', 'It still failed after the retries: try again later, quoting the correlation id.');
    case 'Network':
      return b(
        'error',
        `Could not reach ${where}`,
        'Check the address. The real service may not allow calls from a web page (CORS): point the base URL at your proxy.',
      );
    case 'InvalidResponse':
      return b('error', 'The service sent an answer that is not a valid page', 'Nothing from that page was kept.');
    case 'ForeignOrigin':
      return b('error', 'Refused to follow a link to another host', 'The token is only ever sent to the configured service.');
    case 'Aborted':
      return b('info', 'Cancelled', 'What was fetched before is kept below.');
    default:
      return b('error', 'Unexpected error', 'See the details below.');
  }
}

/** The banner shown while the service throttles the listing and the client waits as `Retry-After` asks. */
export function throttledBanner(waitMs: number | undefined, over: boolean): Banner {
  return {
    kind: 'Throttled',
    severity: 'warning',
    title: 'Throttled by the service (429 Too Many Requests)',
    advice: over
      ? 'The client waited as Retry-After asked, then went on.'
      : `Waiting ${seconds(waitMs)} as Retry-After asks, then the listing goes on by itself.`,
    details: 'Another client may be using the same app and tenant: the limits are 100 calls a minute and 1,500 an hour.',
  };
}

/** Renders a banner into `host` (replacing one of the same kind). */
export function showBanner(host: HTMLElement, banner: Banner): HTMLElement {
  const existing = host.querySelector<HTMLElement>(`.banner[data-kind="${banner.kind}"]`);
  const el = existing ?? document.createElement('div');
  el.className = `banner ${banner.severity}`;
  el.dataset.kind = banner.kind;
  el.replaceChildren();
  const title = document.createElement('strong');
  title.textContent = banner.title;
  const advice = document.createElement('p');
  advice.textContent = banner.advice;
  const det = document.createElement('p');
  det.className = 'details';
  det.textContent = banner.details;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'close';
  close.textContent = 'Dismiss';
  close.setAttribute('aria-label', `Dismiss: ${banner.title}`);
  close.addEventListener('click', () => el.remove());
  el.append(title, advice, det, close);
  if (!existing) host.append(el);
  return el;
}
