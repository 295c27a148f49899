// Export of what was fetched, in the order it was fetched, as CSV or JSON.

import type { Investigation } from 'mde-investigations';
import { FIELDS, text } from './fields';

/**
 * One CSV cell (RFC 4180 quoting). A text that a spreadsheet would run as a formula (it starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP advises for exports opened in Excel.
 */
export function csvCell(v: string | null | undefined): string {
  if (v === null || v === undefined) return '';
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The investigations as CSV: a header line of the service's property names, then one line each; CRLF. */
export function toCsv(items: readonly Investigation[]): string {
  const lines = [FIELDS.join(',')];
  for (const it of items) lines.push(FIELDS.map((f) => csvCell(text(it, f))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The investigations as a JSON array of the nine properties (which `mde-mock --data` also reads). */
export function toJson(items: readonly Investigation[]): string {
  return `${JSON.stringify(
    items.map((it) => Object.fromEntries(FIELDS.map((f) => [f, text(it, f)]))),
    null,
    1,
  )}\n`;
}

/** Offers `text` as a file download. */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `investigations-20261127T074149Z` for a file name. */
export function stamp(now = new Date()): string {
  return `investigations-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}
