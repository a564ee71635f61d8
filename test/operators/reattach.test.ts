/**
 * `reattach` in virtual time: 409s are retried with the backoff, every wait cut short at the
 * deadline, and a 409 is final only once the deadline is reached. Attempt times are exact.
 */
import { asyncScheduler, defer, throwError, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { AttachRejectedError } from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';
import { reattach } from '../../src/observables/reattach.js';
import { exitFrame, stdout } from '../../marbles/values.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const values: Record<string, ExecEvent> = { a: stdout('a'), x: exitFrame(0) };
const conflict = (): AttachRejectedError => new AttachRejectedError('attach refused: HTTP 409', 409);

type ColdFactory = Parameters<Parameters<TestScheduler['run']>[0]>[0]['cold'];

/**
 * An attach against a slot held until `freedAt`: before it, each attempt is refused with 409 after
 * `latency` ms; from it on, the socket replays `a` and sends the exit frame. Records when each
 * attempt starts.
 */
function heldSlot(cold: ColdFactory, freedAt: number, latency = 0): { attach$: Observable<ExecEvent>; attempts: number[] } {
  const attempts: number[] = [];
  const attach$ = defer(() => {
    const now = asyncScheduler.now();
    attempts.push(now);
    if (now >= freedAt) return cold<ExecEvent>('-a-(x|)', values);
    return latency === 0 ? throwError(conflict) : cold<ExecEvent>(`${latency}ms #`, undefined, conflict());
  });
  return { attach$, attempts };
}

describe('reattach: 409s waited out up to the deadline', () => {
  it('deadline 3 s, slot freed at 2.5 s: the wait after 1550 ms is cut to the time left, and the attempt at 3000 ms drains', () => {
    const scheduler = createTestScheduler();
    let attempts: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const held = heldSlot(cold, 2500);
      attempts = held.attempts;
      expectObservable(reattach(held.attach$, { deadline: 3000 })).toBe('3001ms a-(x|)', values);
    });
    // 50 ms doubling: 50, 100, 200, 400, 800; the next, 1600, would pass the deadline: 1450.
    expect(attempts).toEqual([0, 50, 150, 350, 750, 1550, 3000]);
  });

  it('a slot never freed: the 409 at the deadline is final, the same error', () => {
    const scheduler = createTestScheduler();
    let attempts: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const held = heldSlot(cold, Infinity);
      attempts = held.attempts;
      expectObservable(reattach(held.attach$, { deadline: 3000 })).toBe('3000ms #', undefined, conflict());
    });
    expect(attempts).toEqual([0, 50, 150, 350, 750, 1550, 3000]);
  });

  it('the deadline runs from the subscription: with 10 ms per refusal, the last attempt is at 3000 and its 409 (3010) is final', () => {
    const scheduler = createTestScheduler();
    let attempts: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const held = heldSlot(cold, Infinity, 10);
      attempts = held.attempts;
      expectObservable(reattach(held.attach$, { deadline: 3000 })).toBe('3010ms #', undefined, conflict());
    });
    // Each wait starts when the 409 arrives: 10+50, 70+100, 180+200, 390+400, 800+800, then 1610 + the 1390 left.
    expect(attempts).toEqual([0, 60, 170, 380, 790, 1600, 3000]);
  });

  it('the backoff stops doubling at maxDelay, and the last wait is cut to the time left', () => {
    const scheduler = createTestScheduler();
    let attempts: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const held = heldSlot(cold, 9_800);
      attempts = held.attempts;
      expectObservable(reattach(held.attach$, { deadline: 10_000 })).toBe('10001ms a-(x|)', values);
    });
    // 50 doubling to 1600, then 2000 each (the cap), then the 850 ms left.
    expect(attempts).toEqual([0, 50, 150, 350, 750, 1550, 3150, 5150, 7150, 9150, 10_000]);
  });

  it('a slot freed early: the next attempt drains, nothing waits for the deadline', () => {
    const scheduler = createTestScheduler();
    let attempts: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const held = heldSlot(cold, 120);
      attempts = held.attempts;
      expectObservable(reattach(held.attach$, { initialDelay: 50, maxDelay: 2000, deadline: 3000 })).toBe('151ms a-(x|)', values);
    });
    expect(attempts).toEqual([0, 50, 150]);
  });

  it.each([
    ['404', 404],
    ['502', 502],
    ['401', 401],
  ])('any refusal with a status but 409 (%s) errors at once, without a retry', (_name, status) => {
    const scheduler = createTestScheduler();
    let attempts = 0;
    scheduler.run(({ cold, expectObservable }) => {
      const refused = new AttachRejectedError('attach refused', status);
      const attach$ = defer(() => {
        attempts += 1;
        return cold<ExecEvent>('--#', undefined, refused);
      });
      expectObservable(reattach(attach$, { deadline: 3000 })).toBe('--#', undefined, refused);
    });
    expect(attempts).toBe(1);
  });

  it('each subscription has a deadline of its own', () => {
    const scheduler = createTestScheduler();
    let attempts: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const held = heldSlot(cold, Infinity);
      attempts = held.attempts;
      const drain$ = reattach(held.attach$, { initialDelay: 10, maxDelay: 10, deadline: 25 });
      expectObservable(drain$).toBe('25ms #', undefined, conflict());
      expectObservable(drain$, '100ms ^').toBe('125ms #', undefined, conflict());
    });
    expect(attempts).toEqual([0, 10, 20, 25, 100, 110, 120, 125]);
  });
});
