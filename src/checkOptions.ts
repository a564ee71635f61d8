/**
 * One way to check an options object, used by `createRunnerClient`, the operators' configs and
 * `startRunnerEmulator`: every message reads `owner: name must be …, got …`, a wrong type is a
 * `TypeError`, a value out of range a `RangeError`, and an unknown key a `TypeError` naming it.
 */

import { MAX_TIMER_MS } from './limits.js';

/** `'a', 'b' or 'c'`. */
const alternatives = (allowed: readonly string[]): string => {
  const quoted = allowed.map((item) => `'${item}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
};

/** `value` if `ok`, `fallback` if undefined; else an `E` in the one style: `owner: name must be what, got value`. */
function check<T>(owner: string, name: string, value: unknown, fallback: T, ok: boolean, what: string, E = RangeError): T {
  if (value === undefined) return fallback;
  if (!ok) throw new E(`${owner}: ${name} must be ${what}, got ${String(value)}`);
  return value as T;
}

/**
 * Throws a `TypeError` unless `value` is an object (not null, not an array) whose every own key is
 * one of `known`: a misspelled option fails at once, naming the key as it is spelled.
 */
export function checkKeys(owner: string, name: string, value: unknown, known: readonly string[]): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`${owner}: ${name} must be an object`);
  // A loop, not `.find(…)`: no closure for a check that runs for each execution.
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new TypeError(`${owner}: unknown option ${name === 'options' ? key : `${name}.${key}`}`);
  }
}

/**
 * The keys of an options interface, for `checkKeys`, from a table that names every one of them:
 * the compiler rejects a table that misses a key or names one the interface lacks, so an option
 * added to the interface cannot be forgotten here.
 */
export function keysOf<T>(table: { readonly [K in keyof T]-?: true }): readonly (keyof T & string)[] {
  return Object.keys(table) as (keyof T & string)[];
}

/**
 * A number of milliseconds, `fallback` when undefined: more than 0 (or at least 0 where `zero` is
 * allowed) and at most `max`, by default what a timer can wait (`Infinity` for a span no timer
 * waits whole, such as a budget). Anything else, a string included, is a `RangeError`.
 */
export function milliseconds(owner: string, name: string, value: unknown, fallback: number, { zero = false, max = MAX_TIMER_MS } = {}): number {
  const ok = typeof value === 'number' && (zero ? value >= 0 : value > 0) && value <= max;
  const what = zero ? 'a number of milliseconds >= 0' : 'a positive number of milliseconds';
  return check(owner, name, value, fallback, ok, `${what}${max === Infinity ? '' : ` up to ${max}`}`);
}

/** The policies `delays` returned, frozen, checked without spans (so they pass any check), each with its defaults. */
const checkedPolicies = /* @__PURE__ */ new WeakMap<object, object>();

/**
 * A backoff policy (`reconnect`, `conflictBackoff`, …) with its defaults: `checkKeys` against the
 * keys of `defaults`, then each a number of milliseconds >= 0 (`defaults[key]` when undefined) that a
 * timer can wait, or any up to `Infinity` for the keys in `spans` (a budget, a deadline). A
 * policy it returned for no `spans` is frozen, and given back with the same `defaults` it is
 * returned as it is: a client checks its policies once, not once per execution.
 */
export function delays<T extends Record<string, number>>(owner: string, name: string, value: unknown, defaults: T, spans: readonly string[] = []): { [K in keyof T]: number } {
  if (checkedPolicies.get(value as object) === defaults) return value as { [K in keyof T]: number };
  checkKeys(owner, name, value, Object.keys(defaults));
  const prefix = name === 'options' ? '' : `${name}.`;
  const checked: Record<string, number> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const max = spans.includes(key) ? Infinity : MAX_TIMER_MS;
    checked[key] = milliseconds(owner, prefix + key, value[key], fallback, { zero: true, max });
  }
  const { initialDelay, maxDelay } = checked;
  if (maxDelay! < initialDelay!) throw new RangeError(`${owner}: ${prefix}maxDelay must be >= ${prefix}initialDelay (${initialDelay}), got ${maxDelay}`);
  if (!spans.length) checkedPolicies.set(Object.freeze(checked), defaults);
  return checked as { [K in keyof T]: number };
}

/** A positive integer number of bytes, `fallback` when undefined. */
export function byteCount(owner: string, name: string, value: unknown, fallback: number): number {
  return check(owner, name, value, fallback, Number.isInteger(value) && (value as number) >= 1, 'a positive integer number of bytes');
}

/** A count: an integer >= 0, `fallback` when undefined (`integer` with its defaults, without its bounds' code in a bundle). */
export function count(owner: string, name: string, value: unknown, fallback: number): number {
  return check(owner, name, value, fallback, Number.isSafeInteger(value) && (value as number) >= 0, 'an integer >= 0');
}

/** An integer from `min` to `max`, `fallback` when undefined. */
export function integer(owner: string, name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const ok = Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
  return check(owner, name, value, fallback, ok, `an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`}`);
}

/** One of `allowed`, `fallback` when undefined. */
export function oneOf<T extends string>(owner: string, name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  return check(owner, name, value, fallback, allowed.includes(value as T), alternatives(allowed), TypeError);
}

/** A boolean, `fallback` when undefined. */
export function boolean(owner: string, name: string, value: unknown, fallback: boolean): boolean {
  return check(owner, name, value, fallback, typeof value === 'boolean', 'a boolean', TypeError);
}

/** A function, or undefined. */
export function optionalFunction<T>(owner: string, name: string, value: T | undefined, what: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`${owner}: ${name} must be ${what}`);
  return value;
}
