import { defer, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ReconnectBudgetExceededError, ReconnectRequiredError } from '../src/errors.js';
import type { ExecEvent } from '../src/events.js';
import { reconnectWithBackoff } from '../src/operators/reconnectWithBackoff.js';
import { stdout } from '../marbles/values.js';
import { createTestScheduler } from './support/marbleHarness.js';

const retryable = new ReconnectRequiredError({ state: 'running' });
const values = { a: stdout('a') };

function sequence(lanes: Observable<ExecEvent>[]): Observable<ExecEvent> {
  let next = 0;
  return defer(() => {
    const lane = lanes[next];
    next += 1;
    if (lane === undefined) throw new Error('no more lanes');
    return lane;
  });
}

describe('reconnectWithBackoff', () => {
  it('starts a new budget run once an event was delivered', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<ExecEvent>('-#', values, retryable);
      const second = cold<ExecEvent>('-a-#', values, retryable);
      const third = cold<ExecEvent>('-#', values, retryable);
      const result = sequence([first, second, third]).pipe(reconnectWithBackoff({ initialDelay: 5, maxDelay: 10, budget: 12 }));
      expectObservable(result).toBe('-------a-------#', values, new ReconnectBudgetExceededError(2));
      expectSubscriptions(second.subscriptions).toBe('------^--!');
      expectSubscriptions(third.subscriptions).toBe('--------------^!');
    });
  });

  it('passes any other error through at once, same instance', () => {
    const boom = new Error('boom');
    let seen: unknown;
    defer(() => {
      throw boom;
    })
      .pipe(reconnectWithBackoff())
      .subscribe({ error: (error: unknown) => (seen = error) });
    expect(seen).toBe(boom);
  });

  it('names a bad policy with a RangeError', () => {
    expect(() => reconnectWithBackoff({ initialDelay: -1 })).toThrow(RangeError);
    expect(() => reconnectWithBackoff({ initialDelay: 10, maxDelay: 5 })).toThrow('reconnect: maxDelay must be >= initialDelay, got 5');
  });
});
