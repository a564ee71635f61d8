/**
 * A token provider that fails on an attach is a failed connect: the client probes, then
 * reconnects with a fresh token, and the execution is followed to its exit.
 */

import { describe, expect, it } from 'vitest';
import { isReconnectBudgetExceededError, isTokenProviderError } from '../../src/index.js';
import { clientFor, emulator, finish, isProbe, observingFetch, outcome } from './support.js';

/** Waits for a socket, then writes and exits 3: still running while the client has none. */
const WAITS = { steps: [{ waitForAttach: true }, { stdout: 'hello\n' }, { exit: 3 }] } as const;

/** A provider that answers `token`, except on the calls listed, where it does what `failing` does. */
function provider(token: string, failingCalls: readonly number[], failing: () => Promise<string>): { token: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    token: () => {
      calls += 1;
      return failingCalls.includes(calls) ? failing() : Promise.resolve(token);
    },
    calls: () => calls,
  };
}

describe('token provider failures on an attach', () => {
  it('a provider that rejects on the first attach: probe, reconnect, output and exit', async () => {
    const em = await emulator({ scripts: { wait: WAITS } });
    const tokens = provider(em.token, [2], () => Promise.reject(new Error('vault hiccup')));
    const { fetch, calls } = observingFetch();
    const result = await finish(clientFor(em, { token: tokens.token, fetch }).exec('box', { command: 'wait' }));
    expect(result.stdout).toBe('hello\n');
    expect(result.exit.exitCode).toBe(3);
    expect(calls.filter(isProbe)).toHaveLength(1);
    expect(em.execution(result.executionId ?? '')?.attachAttempts).toBe(1);
    expect(tokens.calls()).toBe(4); // POST, the failed attach, the probe, the reconnect
  });

  it('a provider that never answers on the first attach is bounded by connectTimeout, then recovered', async () => {
    const em = await emulator({ scripts: { wait: WAITS } });
    const tokens = provider(em.token, [2], () => new Promise<string>(() => undefined));
    const result = await finish(clientFor(em, { token: tokens.token, connectTimeout: 200 }).exec('box', { command: 'wait' }));
    expect(result.stdout).toBe('hello\n');
    expect(result.exit.exitCode).toBe(3);
    expect(em.execution(result.executionId ?? '')?.attachAttempts).toBe(1);
  });

  it('a provider that keeps failing ends within the reconnect budget, the TokenProviderError in the cause chain', async () => {
    const em = await emulator({ scripts: { wait: WAITS } });
    const tokens = provider(em.token, Array.from({ length: 1000 }, (_, i) => i + 2), () => Promise.resolve(''));
    const { events, error } = await outcome(
      clientFor(em, { token: tokens.token, reconnect: { initialDelay: 10, maxDelay: 20, budget: 200 } }).exec('box', { command: 'wait' }),
    );
    expect(events.filter((e) => e.type !== 'notice').map((e) => e.type)).toEqual(['started']);
    expect(events.every((e) => e.type !== 'notice' || e.kind === 'reconnecting')).toBe(true);
    expect(isReconnectBudgetExceededError(error)).toBe(true);
    const reconnect = (error as Error).cause; // ReconnectRequiredError: the probe could not tell either
    expect(reconnect).toMatchObject({ name: 'ReconnectRequiredError', probe: { state: 'unavailable', reason: 'token provider returned an empty string' } });
    expect(isTokenProviderError((reconnect as Error).cause)).toBe(true);
    expect(String(error)).not.toContain(em.token);
  });
});
