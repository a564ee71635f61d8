/**
 * The `SIGNAL` argument of `boxlite-rx signal`: a number or a name, with or without `SIG`, any
 * case. Invariant: it resolves only to a number of the runner's whitelist (`SIGNAL_WHITELIST`).
 */

import { SIGNAL_WHITELIST } from '../protocol/types.js';

/** The whitelisted signals by name (Linux numbers), in the whitelist's order. */
export const SIGNAL_NAMES: Readonly<Record<string, number>> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ABRT: 6,
  USR1: 10,
  USR2: 12,
  TERM: 15,
  WINCH: 28,
};

/** `HUP (1), INT (2), …`: the whitelist as a usage line names it. */
export const SIGNAL_LIST = Object.entries(SIGNAL_NAMES)
  .map(([name, number]) => `${name} (${number})`)
  .join(', ');

/**
 * Resolves `text` to a whitelisted signal number.
 *
 * @example
 * signalNumber('SIGterm'); // 15
 * signalNumber('9');       // 'SIGKILL is not sent by signal: use boxlite-rx kill BOX_ID EXECUTION_ID'
 * @param text the argument as given.
 * @returns the number, or one line saying why it is refused.
 */
export function signalNumber(text: string): number | string {
  const name = text.toUpperCase().replace(/^SIG/, '');
  const number = /^\d+$/.test(name) ? Number(name) : Object.hasOwn(SIGNAL_NAMES, name) ? SIGNAL_NAMES[name] : undefined;
  if (number === 9 || name === 'KILL') return 'SIGKILL is not sent by signal: use boxlite-rx kill BOX_ID EXECUTION_ID';
  if (number === undefined || !SIGNAL_WHITELIST.has(number)) return `SIGNAL must be one of ${SIGNAL_LIST}, got ${JSON.stringify(text)}`;
  return number;
}
