// Options, investigations and fields as the JSON text the engine reads (every check and message is the
// engine's). JSON.stringify alone would hide mistakes, so the values it would drop or turn into null reach the
// engine as text that it then refuses by name: a function, NaN, Infinity. A bigint becomes its digits (the
// engine reads seeds up to 2^64 - 1 from a string); a Date becomes its ISO text (`now`, date-time fields).

function replacer(_key, value) {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'function':
      return '[function]';
    case 'symbol':
      return value.toString();
    default:
      return value;
  }
}

/** The JSON text of `value` for the engine (`{}` for undefined or null). */
export function engineJson(value) {
  return value === undefined || value === null ? '{}' : JSON.stringify(value, replacer);
}
