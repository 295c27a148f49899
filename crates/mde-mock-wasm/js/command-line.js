// The syntax of the bin's command line, read as the native binary's clap reads it, with clap's messages:
// `--flag value` and `--flag=value`; `-h`/`--help`, `-V`/`--version`; a value that looks like a flag is not
// taken as one; a flag given twice is refused unless it is repeatable; a repeatable flag's values split at
// commas; then the `MDE_MOCK_*` variable of each flag not given. What the flags are is the engine's table
// (`flagTable()`), passed in, and what their values mean is decided by the engine: this file knows no flag.
//
// node:util's parseArgs is not used: it takes any next argument as the value (`--port --count` gives port
// `--count`), where clap reports the missing value, and its strict mode has other messages.

import { mostSimilar } from './similar.js';

const BIN = 'mde-mock';
const USAGE_LINE = `Usage: ${BIN} [OPTIONS]`;

/** `--port <PORT>`, or `--help` for the flags without a value (the built-in ones and switches). */
function shown(flag) {
  return flag.valueName ? `--${flag.long} <${flag.valueName}>` : `--${flag.long}`;
}

/** clap's error text: `error: ...`, a tip, the usage line (with the flags given, or `[OPTIONS]`), the hint. */
function syntaxError(message, { usage = [], tip, withUsage = true } = {}) {
  const tipText = tip ? `  tip: ${tip}\n\n` : '';
  const line = usage.length > 0 ? usage.map(shown).join(' ') : '[OPTIONS]';
  const usageText = withUsage ? `Usage: ${BIN} ${line}\n\n` : '';
  return { error: `error: ${message}\n\n${tipText}${usageText}For more information, try '--help'.\n` };
}

/**
 * Reads `args` (without `node` and the script) and `env` against the flag table. Returns `{ help: true }`,
 * `{ version: true }`, `{ error }` (the text for stderr; exit code 2), or `{ pairs }`: `[long, value, ...]` for
 * the engine's `Invocation.parse`, command-line values first, then the variables of the flags not given.
 */
export function readCommandLine(args, env, table) {
  const builtIn = [
    { long: 'help', short: 'h' },
    { long: 'version', short: 'V' },
  ];
  const byLong = new Map([...table, ...builtIn].map((flag) => [flag.long, flag]));
  const given = []; // flags that got a value, first use first: clap's usage line
  const pairs = [];
  let pending; // a flag waiting for its value in the next argument

  const take = (flag, value) => {
    if (given.includes(flag) && !flag.repeatable) {
      return syntaxError(`the argument '${shown(flag)}' cannot be used multiple times`);
    }
    if (!given.includes(flag)) given.push(flag);
    for (const v of flag.repeatable ? value.split(',') : [value]) pairs.push(flag.long, v);
    return undefined;
  };
  const missingValue = (flag) => syntaxError(`a value is required for '${shown(flag)}' but none was supplied`, { withUsage: false });

  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const flagLike = arg.startsWith('-') && arg !== '-';
    if (pending && !flagLike) {
      const refused = take(pending, arg);
      if (refused) return refused;
      pending = undefined;
      continue;
    }
    if (arg === '--') {
      if (pending) return missingValue(pending);
      const rest = args[i + 1];
      return rest === undefined ? finish() : syntaxError(`unexpected argument '${rest}' found`);
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const flag = byLong.get(name);
      if (!flag) {
        const similar = mostSimilar(name, byLong.keys());
        const usage = similar === undefined ? given : [...new Set([...given, byLong.get(similar)])];
        const tip = similar === undefined ? undefined : `a similar argument exists: '--${similar}'`;
        return syntaxError(`unexpected argument '--${name}' found`, { usage, tip });
      }
      if (pending) return missingValue(pending);
      if (!flag.valueName) {
        if (eq >= 0) {
          const message = `unexpected value '${arg.slice(eq + 1)}' for '--${name}' found; no more were expected`;
          return syntaxError(message, { usage: [...given, flag] });
        }
        if (flag.switch) {
          // A switch of the table (`--retry-after-ms`): on.
          const refused = take(flag, 'true');
          if (refused) return refused;
          continue;
        }
        return { [flag.long]: true };
      }
      if (eq < 0) {
        pending = flag;
        continue;
      }
      const refused = take(flag, arg.slice(eq + 1));
      if (refused) return refused;
      continue;
    }
    if (flagLike) {
      const flag = builtIn.find((f) => f.short === arg[1]);
      if (!flag) return syntaxError(`unexpected argument '-${arg[1]}' found`);
      if (pending) return missingValue(pending);
      return { [flag.long]: true };
    }
    return syntaxError(`unexpected argument '${arg}' found`);
  }
  if (pending) return missingValue(pending);
  return finish();

  function finish() {
    for (const flag of table) {
      const value = env[flag.env];
      if (given.includes(flag) || value === undefined) continue;
      for (const v of flag.repeatable ? value.split(',') : [value]) pairs.push(flag.long, v);
    }
    return { pairs };
  }
}

/** `--help`, laid out as clap lays out the native binary's (the values of the variables set included). */
export function helpText(about, table, env, afterHelp) {
  const rows = table.map((flag) => {
    const defaults = flag.default === null ? '' : ` [default: ${flag.default}]`;
    return [`    ${shown(flag)}`, `${flag.help} [env: ${flag.env}=${env[flag.env] ?? ''}]${defaults}`];
  });
  rows.push(['-h, --help', 'Print help'], ['-V, --version', 'Print version']);
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
  return `${about}\n\n${USAGE_LINE}\n\nOptions:\n${lines.join('\n')}\n\n${afterHelp}\n`;
}
