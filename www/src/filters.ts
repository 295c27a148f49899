// The filter controls: what the form holds, the filter object it makes, and the text actually sent.
// Every check is the package's own (`validateFilter`, in Rust): the page never decides what is valid.

import { validateFilter, type Filter, type FilterObject, type InvestigationState } from 'mde-investigations';
import { asMdeError } from './errors';

/** The 18 documented states, in the documentation's order (Microsoft may add more; the raw box takes any). */
export const STATES = [
  'Unknown',
  'Terminated',
  'SuccessfullyRemediated',
  'Benign',
  'Failed',
  'PartiallyRemediated',
  'Running',
  'PendingApproval',
  'PendingResource',
  'PartiallyInvestigated',
  'TerminatedByUser',
  'TerminatedBySystem',
  'Queued',
  'InnerFailure',
  'PreexistingAlert',
  'UnsupportedOs',
  'UnsupportedAlertType',
  'SuppressedAlert',
] as const;

/** What the filter form holds. */
export interface FilterFields {
  states: string[];
  /** `datetime-local` values, read as UTC; empty when unset. */
  from: string;
  to: string;
  machineIds: string[];
  alertId: string;
  odata: string;
}

/** Reads the form's fields. */
export function readFields(form: HTMLFormElement): FilterFields {
  const el = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement;
  const states = Array.from((form.elements.namedItem('state') as HTMLSelectElement).selectedOptions, (o) => o.value);
  return {
    states,
    from: el('from').value,
    to: el('to').value,
    machineIds: el('machineId')
      .value.split(/[\s,;]+/)
      .filter((s) => s.length > 0),
    alertId: el('alertId').value.trim(),
    odata: el('odata').value,
  };
}

/** A `datetime-local` value read as UTC. */
export function utcDate(local: string): Date | undefined {
  if (!local) return undefined;
  const withSeconds = local.length === 16 ? `${local}:00` : local;
  const d = new Date(`${withSeconds}Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The filter object of the structured fields (the raw box aside), or undefined when they are all empty. */
export function fieldsFilter(f: FilterFields): FilterObject | undefined {
  const o: FilterObject = {};
  const states = f.states as InvestigationState[];
  if (states.length === 1) o.state = states[0];
  else if (states.length > 1) o.state = { in: states };
  const from = utcDate(f.from);
  const to = utcDate(f.to);
  if (from && to) o.startTime = { ge: from, lt: to };
  else if (from) o.startTime = { ge: from };
  else if (to) o.startTime = { lt: to };
  if (f.machineIds.length === 1) o.machineId = f.machineIds[0];
  else if (f.machineIds.length > 1) o.machineId = { in: f.machineIds };
  if (f.alertId) o.triggeringAlertId = f.alertId;
  return Object.keys(o).length > 0 ? o : undefined;
}

/** Where a filter problem is. */
export interface FilterProblem {
  /** `odata` for the raw box, `fields` for the structured controls. */
  source: 'odata' | 'fields';
  message: string;
  /** For the raw box: the offset (UTF-16 code units) of the problem in the text. */
  position?: number;
}

/** The outcome of checking the whole form. */
export type Effective = { ok: true; text: string | undefined } | { ok: false; problem: FilterProblem };

/** The position the package reports is a byte offset into the UTF-8 text; the textarea counts UTF-16 units. */
export function charIndex(text: string, byteOffset: number): number {
  const enc = new TextEncoder();
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    if (bytes >= byteOffset) return i;
    bytes += enc.encode(ch).length;
    i += ch.length;
  }
  return text.length;
}

function check(filter: Filter, source: FilterProblem['source'], text?: string): Effective {
  let err;
  try {
    const r = validateFilter(filter);
    if (r.ok) return { ok: true, text: r.filter };
    err = asMdeError(r.error);
  } catch (e) {
    err = asMdeError(e); // not expected: validateFilter reports problems in its result
  }
  const position = typeof err.position === 'number' && text !== undefined ? charIndex(text, err.position) : undefined;
  return { ok: false, problem: { source, message: err.message, position } };
}

/**
 * The normalised filter text to send, checked by `validateFilter`: the structured fields and the raw OData box
 * joined by `and`; `text` is undefined when there is no filter.
 */
export function effectiveFilter(f: FilterFields): Effective {
  const parts: string[] = [];
  const obj = fieldsFilter(f);
  if (obj) {
    const r = check(obj, 'fields');
    if (!r.ok) return r;
    if (r.text) parts.push(r.text);
  }
  if (f.odata.trim()) {
    const r = check(f.odata, 'odata', f.odata);
    if (!r.ok) return r;
    if (r.text) parts.push(r.text);
  }
  if (parts.length === 0) return { ok: true, text: undefined };
  if (parts.length === 1) return { ok: true, text: parts[0] };
  return check(parts.map((p) => `(${p})`).join(' and '), 'fields');
}
