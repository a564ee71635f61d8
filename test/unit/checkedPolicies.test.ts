import { describe, expect, it } from 'vitest';
import { delays } from '../../src/checkOptions.js';
import { createRunnerClient } from '../../src/client/createRunnerClient.js';
import { resolveOptions } from '../../src/client/options.js';
import { REFUSED_BACKOFF } from '../../src/limits.js';
import { CONFLICT_DEFAULTS, reattach } from '../../src/observables/reattach.js';
import { RECONNECT_DEFAULTS, reconnectWithBackoff } from '../../src/operators/reconnectWithBackoff.js';
import type { ExecEvent } from '../../src/events.js';
import { just } from '../../src/observables/just.js';

const RECONNECT_SPANS = ['budget', 'healthyAfter'];

describe('delays: a policy it checked is checked once', () => {
  it('returns a frozen policy, and that policy as it is when it is given back with the same defaults', () => {
    const checked = delays('owner', 'reconnect', { budget: 1000 }, RECONNECT_DEFAULTS);
    expect(checked).toEqual({ initialDelay: 15_000, maxDelay: 30_000, budget: 1000, healthyAfter: 1000 });
    expect(Object.isFrozen(checked)).toBe(true);
    expect(delays('owner', 'reconnect', checked, RECONNECT_DEFAULTS)).toBe(checked);
    // A check that allows more (spans up to Infinity) takes it as it is too.
    expect(delays('owner', 'options', checked, RECONNECT_DEFAULTS, RECONNECT_SPANS)).toBe(checked);
  });

  it("checks a user's object every time: a value changed to a bad one since throws", () => {
    const policy: { initialDelay?: number } = { initialDelay: 10 };
    expect(delays('owner', 'refused', policy, REFUSED_BACKOFF)).toEqual({ initialDelay: 10, maxDelay: 2000 });
    policy.initialDelay = -1;
    expect(() => delays('owner', 'refused', policy, REFUSED_BACKOFF)).toThrow(
      new RangeError('owner: refused.initialDelay must be a number of milliseconds >= 0 up to 2147483647, got -1'),
    );
  });

  it('checks again a policy that passed with spans up to Infinity, so the stricter check still throws', () => {
    const lax = delays('owner', 'options', { budget: Infinity }, RECONNECT_DEFAULTS, RECONNECT_SPANS);
    expect(lax.budget).toBe(Infinity);
    expect(() => delays('owner', 'reconnect', lax, RECONNECT_DEFAULTS)).toThrow(RangeError);
  });

  it('checks again a policy checked against another table: its keys and defaults are that table’s', () => {
    const refused = delays('owner', 'refused', {}, REFUSED_BACKOFF);
    const conflict = delays('owner', 'conflictBackoff', refused, CONFLICT_DEFAULTS);
    expect(conflict).not.toBe(refused);
    expect(conflict).toEqual({ initialDelay: 50, maxDelay: 2000, deadline: 60_000 });
    const reconnect = delays('owner', 'reconnect', {}, RECONNECT_DEFAULTS);
    expect(() => delays('owner', 'refused', reconnect, REFUSED_BACKOFF)).toThrow(new TypeError('owner: unknown option refused.budget'));
  });
});

describe('the client checks its policies once, with the same errors', () => {
  it('resolves reconnect and the refused backoff to checked policies the operator takes as they are', () => {
    const options = resolveOptions({ baseUrl: 'http://127.0.0.1:1', reconnect: { initialDelay: 5 }, conflictBackoff: { maxDelay: 500 } });
    expect(Object.isFrozen(options.reconnect)).toBe(true);
    expect(options.reconnect).toEqual({ initialDelay: 5, maxDelay: 30_000, budget: 270_000, healthyAfter: 1000 });
    expect(options.refused).toEqual({ initialDelay: 50, maxDelay: 500 });
    expect(delays('reconnectWithBackoff', 'options', options.reconnect, RECONNECT_DEFAULTS, RECONNECT_SPANS)).toBe(options.reconnect);
    expect(delays('reconnectWithBackoff', 'refused', options.refused, REFUSED_BACKOFF)).toBe(options.refused);
    expect(() => just<ExecEvent>().pipe(reconnectWithBackoff(options.reconnect, { refused: options.refused }))).not.toThrow();
  });

  it.each([
    [{ reconnect: { initialDelay: -1 } }, new RangeError('createRunnerClient: reconnect.initialDelay must be a number of milliseconds >= 0 up to 2147483647, got -1')],
    [{ reconnect: { budget: Infinity } }, new RangeError('createRunnerClient: reconnect.budget must be a number of milliseconds >= 0 up to 2147483647, got Infinity')],
    [{ reconnect: { retries: 3 } }, new TypeError('createRunnerClient: unknown option reconnect.retries')],
    [{ reconnect: null }, new TypeError('createRunnerClient: reconnect must be an object')],
    [{ conflictBackoff: { maxDelay: 10 } }, new RangeError('createRunnerClient: conflictBackoff.maxDelay must be >= conflictBackoff.initialDelay (50), got 10')],
    [{ conflictBackoff: null }, new TypeError('createRunnerClient: conflictBackoff must be an object')],
    [{ conflictBackoff: { deadlin: 10 } }, new TypeError('createRunnerClient: unknown option conflictBackoff.deadlin')],
  ])('createRunnerClient(%o) throws', (policy, error) => {
    expect(() => createRunnerClient({ baseUrl: 'http://127.0.0.1:1', ...(policy as object) })).toThrow(error);
  });

  it("the operators still check a user's policy on each call", () => {
    const config = { initialDelay: 1 };
    expect(() => reconnectWithBackoff(config)).not.toThrow();
    config.initialDelay = -1;
    expect(() => reconnectWithBackoff(config)).toThrow(
      new RangeError('reconnectWithBackoff: initialDelay must be a number of milliseconds >= 0 up to 2147483647, got -1'),
    );
    expect(() => reconnectWithBackoff({}, { refused: { maxDelay: 1 } })).toThrow(
      new RangeError('reconnectWithBackoff: refused.maxDelay must be >= refused.initialDelay (50), got 1'),
    );
    expect(() => reattach(just(), { deadline: -1 })).toThrow(RangeError);
  });
});
