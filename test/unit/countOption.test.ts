/**
 * `count`, the check of drainOnTerminal's `drainReattempts`: the bounds and the message that
 * `integer(owner, name, value, fallback, 0)` gave (a safe integer >= 0), in a smaller function.
 */
import { describe, expect, it } from 'vitest';
import { count, integer } from '../../src/checkOptions.js';
import { drainOnTerminal } from '../../src/operators/drainOnTerminal.js';
import { just } from '../../src/observables/just.js';
import type { ExecEvent } from '../../src/events.js';
import type { ProbeResult } from '../../src/protocol/probeResult.js';

const BAD = [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, Number.MAX_SAFE_INTEGER + 1, '3', null, true];
const GOOD = [0, 1, 3, Number.MAX_SAFE_INTEGER];

describe('count', () => {
  it('takes what integer(…, 0) took and refuses what it refused, with the same error', () => {
    for (const value of [...GOOD, ...BAD, undefined]) {
      const run = (check: () => number): unknown => {
        try {
          return check();
        } catch (error) {
          return error;
        }
      };
      expect(run(() => count('owner', 'name', value, 7))).toEqual(run(() => integer('owner', 'name', value, 7, 0)));
    }
    expect(count('owner', 'name', undefined, 7)).toBe(7);
    expect(() => count('owner', 'name', 2 ** 60, 7)).toThrow(new RangeError(`owner: name must be an integer >= 0, got ${2 ** 60}`));
  });

  it("is drainOnTerminal's check of drainReattempts", () => {
    const reattach = () => just<ExecEvent>();
    const probe = () => just<ProbeResult>();
    expect(() => drainOnTerminal({ probe, reattach, drainReattempts: 2 ** 60 })).toThrow(
      new RangeError(`drainOnTerminal: drainReattempts must be an integer >= 0, got ${2 ** 60}`),
    );
    expect(() => drainOnTerminal({ probe, reattach, drainReattempts: Number.MAX_SAFE_INTEGER })).not.toThrow();
  });
});
