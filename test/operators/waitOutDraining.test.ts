/**
 * `waitOutDraining` (and `retryWithin` under it) in virtual time: a POST /exec answered 503
 * "runner is draining" is sent again 500 ms doubling to 5 s, each wait announced, until
 * `drainingWait`; every other error, another 503 included, is final at once.
 */
import { asyncScheduler, defer, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { waitOutDraining } from '../../src/client/rest.js';
import { BoxliteHttpError } from '../../src/errors.js';
import type { NoticeEvent } from '../../src/events.js';
import { retryWithin } from '../../src/operators/retryWithin.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const draining = (): BoxliteHttpError => new BoxliteHttpError('exec: runner is draining', 503);
const created = { status: 201, statusText: 'Created', body: '{"execution_id":"exec-1"}' };

/** A POST answered "draining" until `freedAt`, then 201; records when each attempt starts. */
function drainingUntil(freedAt: number): { post$: Observable<typeof created>; attempts: number[] } {
  const attempts: number[] = [];
  const post$ = defer(() => {
    const now = asyncScheduler.now();
    attempts.push(now);
    return now >= freedAt ? [created] : throwError(draining);
  });
  return { post$, attempts };
}

describe('waitOutDraining: the retry delays in virtual time', () => {
  it('draining until 1.5 s: attempts at 0, 500, 1500, a notice before each wait, then the 201', () => {
    const scheduler = createTestScheduler();
    const notices: (NoticeEvent & { at: number })[] = [];
    let attempts: number[] = [];
    scheduler.run(({ expectObservable }) => {
      const held = drainingUntil(1500);
      attempts = held.attempts;
      const waited = waitOutDraining(held.post$, 60_000, (event) => notices.push({ ...event, at: asyncScheduler.now() }));
      expectObservable(waited).toBe('1500ms (r|)', { r: created });
    });
    expect(attempts).toEqual([0, 500, 1500]);
    expect(notices).toEqual([
      { type: 'notice', kind: 'server-draining', message: 'runner is draining: POST /exec again in 500 ms', attempt: 1, delay: 500, at: 0 },
      { type: 'notice', kind: 'server-draining', message: 'runner is draining: POST /exec again in 1000 ms', attempt: 2, delay: 1000, at: 500 },
    ]);
  });

  it('a drain that outlasts the wait: 500 ms doubling to 5 s, the last wait cut to the deadline, then the exact error', () => {
    const scheduler = createTestScheduler('exact');
    const delays: number[] = [];
    let attempts: number[] = [];
    let error: unknown;
    scheduler.run(({ flush }) => {
      const held = drainingUntil(Infinity);
      attempts = held.attempts;
      waitOutDraining(held.post$, 20_000, (event) => delays.push(event.delay as number)).subscribe({ error: (e: unknown) => (error = e) });
      flush();
    });
    // 500, 1000, 2000, 4000, 5000, 5000 (17500 in all); the next 5000 would pass 20000: 2500.
    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000, 2500]);
    expect(attempts).toEqual([0, 500, 1500, 3500, 7500, 12500, 17500, 20000]);
    expect(error).toBeInstanceOf(BoxliteHttpError);
    expect(error).toMatchObject({ message: 'exec: runner is draining (waited 20000 ms)', status: 503, code: undefined });
    expect((error as Error).cause).toBeInstanceOf(BoxliteHttpError);
  });

  it.each([
    ['a proxy 503', new BoxliteHttpError('exec: HTTP 503 Service Unavailable', 503)],
    ["serve's 503 shape", new BoxliteHttpError('exec: runner is draining', 503, 'invalid_state')],
    ['a 502', new BoxliteHttpError('exec: runner is draining', 502)],
    ['no answer', new BoxliteHttpError('exec: no answer within 30000 ms', undefined)],
  ])('%s is not retried: one attempt, the same error, no notice', (_, failure) => {
    const scheduler = createTestScheduler('exact');
    let attempts = 0;
    const notices: NoticeEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const post$ = defer(() => {
        attempts += 1;
        return throwError(() => failure);
      });
      expectObservable(waitOutDraining(post$, 60_000, (event) => notices.push(event))).toBe('#', undefined, failure);
    });
    expect(attempts).toBe(1);
    expect(notices).toEqual([]);
  });
});

describe('retryWithin', () => {
  it('the deadline runs from the subscription: with 10 ms per failure, the retryable failure at the deadline is final', () => {
    const scheduler = createTestScheduler();
    const attempts: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const source$ = defer(() => {
        attempts.push(asyncScheduler.now());
        return cold('10ms #', undefined, new Error('busy'));
      });
      const retried = source$.pipe(retryWithin({ deadline: 300, initialDelay: 100, maxDelay: 1000, retryable: () => true, expired: () => new Error('gave up') }));
      expectObservable(retried).toBe('310ms #', undefined, new Error('gave up'));
    });
    // 10 + 100 = 110, 120 + 180 (200 cut to the 180 left) = 300, whose failure at 310 is final.
    expect(attempts).toEqual([0, 110, 300]);
  });
});
