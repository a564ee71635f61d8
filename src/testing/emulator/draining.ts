/**
 * A runner draining for a deploy (docs/protocol.md §7): while it drains, `POST /exec` answers 503
 * `{"error":"runner is draining"}` and creates nothing, and attach upgrades answer the same 503.
 * `true` drains until turned off; counts drain for that many refusals of each route, then stop.
 */

import { checkKeys, integer, keysOf } from '../../checkOptions.js';

/** How the emulator drains: `true` until set otherwise, `false` not at all, or for the next `execs` `POST /exec` and `attaches` upgrades. */
export type Draining = boolean | { readonly execs?: number; readonly attaches?: number };

/** The counted form's keys: the compiler ties the table to the type. */
const COUNT_KEYS = /* @__PURE__ */ keysOf<Exclude<Draining, boolean>>({ execs: true, attaches: true });

/** The runner's message while it drains. */
export const DRAINING_MESSAGE = 'runner is draining';

/** Refusals left per route. */
interface Counts {
  execs: number;
  attaches: number;
}

/** The refusals `value` asks for, checked: a bad value is a `TypeError`/`RangeError` naming `owner`'s `name`. */
export function drainingCounts(owner: string, name: string, value: Draining): Counts {
  if (typeof value === 'boolean') return { execs: value ? Infinity : 0, attaches: value ? Infinity : 0 };
  if (typeof value !== 'object' || value === null) throw new TypeError(`${owner}: ${name} must be a boolean or { execs, attaches }, got ${String(value)}`);
  checkKeys(owner, name, value, COUNT_KEYS);
  return { execs: integer(owner, `${name}.execs`, value.execs, 0, 0), attaches: integer(owner, `${name}.attaches`, value.attaches, 0, 0) };
}

/** Whether the emulator drains now, route by route. */
export class DrainingState {
  private left: Counts = { execs: 0, attaches: 0 };

  /** Starts or stops draining (see {@link drainingCounts}). */
  set(value: Draining): void {
    this.left = drainingCounts('setDraining', 'draining', value);
  }

  /** Whether this request of `route` is refused; a refusal is counted off. */
  refuses(route: keyof Counts): boolean {
    if (this.left[route] <= 0) return false;
    this.left[route] -= 1;
    return true;
  }
}
