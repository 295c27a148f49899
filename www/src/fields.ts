// The investigation's properties as the page reads them.

import type { Investigation } from 'mde-investigations';

/** The service's nine properties, in the service's order. */
export const FIELDS = [
  'id',
  'startTime',
  'endTime',
  'state',
  'cancelledBy',
  'statusDetails',
  'machineId',
  'computerDnsName',
  'triggeringAlertId',
] as const;

/** One of the service's properties. */
export type Field = (typeof FIELDS)[number];

/** A property as text: `null` when missing or null (the service may send an id as a JSON number). */
export function text(item: Investigation, field: Field): string | null {
  const v = item[field];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return null;
}
