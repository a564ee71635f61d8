import { Subject, defer, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AttachDisconnectedError, AttachRejectedError, ReconnectBudgetExceededError, ReconnectRequiredError, TokenProviderError } from '../../src/errors.js';
import { notice, type ExecEvent, type ReconnectReason } from '../../src/events.js';
import { AttemptLedger } from '../../src/operators/attemptLedger.js';
import { reconnectWithBackoff } from '../../src/operators/reconnectWithBackoff.js';
import { stdout } from '../../marbles/values.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const unavailable = new ReconnectRequiredError({ state: 'unavailable', reason: 'HTTP 503' });
const cut = new ReconnectRequiredError({ state: 'running' }, { cause: new AttachDisconnectedError('cut', 1006) });
const conflict = new ReconnectRequiredError({ state: 'running' }, { cause: new AttachRejectedError('attach refused: HTTP 409', 409) });
const tokenFailed = new ReconnectRequiredError({ state: 'running' }, { cause: new TokenProviderError('token provider threw (see cause)', 'threw') });

const reconnecting = (attempt: number, reason: ReconnectReason, delay: number): ExecEvent =>
  notice('reconnecting', `reconnecting (attempt ${attempt}, ${reason}) in ${delay} ms`, { attempt, reason, delay });

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
  it('unavailable: long backoff; a delivered event starts a new budget run', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<ExecEvent>('-#', {}, unavailable);
      const second = cold<ExecEvent>('-a-#', { a: stdout('a') }, unavailable);
      const third = cold<ExecEvent>('-#', {}, unavailable);
      const result = sequence([first, second, third]).pipe(reconnectWithBackoff({ initialDelay: 5, maxDelay: 10, budget: 12 }));
      expectObservable(result).toBe('-n-----a-n-----#', { n: reconnecting(1, 'unavailable', 5), a: stdout('a') }, new ReconnectBudgetExceededError(2));
      expectSubscriptions(second.subscriptions).toBe('------^--!');
      expectSubscriptions(third.subscriptions).toBe('--------------^!');
    });
  });

  it('a cut while the process runs: at once; a repeated failure without progress: short backoff', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold<ExecEvent>('-a-#', { a: stdout('a') }, cut);
      const second = cold<ExecEvent>('-#', {}, conflict);
      const third = cold<ExecEvent>('-#', {}, conflict);
      const fourth = cold<ExecEvent>('-b|', { b: stdout('b') });
      const result = sequence([first, second, third, fourth]).pipe(reconnectWithBackoff({}, { refused: { initialDelay: 2, maxDelay: 3 } }));
      expectObservable(result).toBe('-a-no--p---b|', {
        a: stdout('a'),
        n: reconnecting(1, 'cut', 0),
        o: reconnecting(2, 'conflict', 2),
        p: reconnecting(3, 'conflict', 3),
        b: stdout('b'),
      });
      expectSubscriptions(second.subscriptions).toBe('---^!');
      expectSubscriptions(third.subscriptions).toBe('------^!');
      expectSubscriptions(fourth.subscriptions).toBe('----------^-!');
    });
  });

  it('a refused connect first (token provider failure): short backoff, not at once', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const first = cold<ExecEvent>('-#', {}, tokenFailed);
      const second = cold<ExecEvent>('-b|', { b: stdout('b') });
      const result = sequence([first, second]).pipe(reconnectWithBackoff({}, { refused: { initialDelay: 4, maxDelay: 8 } }));
      expectObservable(result).toBe('-n----b|', { n: reconnecting(1, 'token', 4), b: stdout('b') });
    });
  });

  it('sockets the server accepts are progress: a silent command whose sockets are recycled is followed to its exit', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const ledger = new AttemptLedger(5);
      const recycled = Array.from({ length: 30 }, () => defer(() => (ledger.socketOpened(), cold<ExecEvent>('----------#', {}, cut))));
      const last = cold<ExecEvent>('-x|', { x: { type: 'exit', exitCode: 0, source: 'frame' } });
      const result = sequence([...recycled, last]).pipe(reconnectWithBackoff({ budget: 50 }, { ledger }));
      const cuts = `----------n${'---------n'.repeat(29)}`;
      expectObservable(result).toBe(`${cuts}x|`, { n: reconnecting(1, 'cut', 0), x: { type: 'exit', exitCode: 0, source: 'frame' } });
    });
  });

  it('without progress the same run ends at the budget, the last failure as cause', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const lanes = Array.from({ length: 10 }, () => cold<ExecEvent>('-#', {}, conflict));
      const result = sequence(lanes).pipe(reconnectWithBackoff({ budget: 10 }, { refused: { initialDelay: 2, maxDelay: 2 } }));
      expectObservable(result).toBe('-a--b--c--#', {
        a: reconnecting(1, 'conflict', 2),
        b: reconnecting(2, 'conflict', 2),
        c: reconnecting(3, 'conflict', 2),
      }, new ReconnectBudgetExceededError(4, { cause: conflict }));
    });
  });

  it('announces the first socket opened after a reconnecting notice as reconnected', () => {
    createTestScheduler().run(({ cold, hot, expectObservable }) => {
      const opened = hot<void>('o---o--o', { o: undefined });
      const first = cold<ExecEvent>('-#', {}, cut);
      const second = cold<ExecEvent>('------', {});
      const result = sequence([first, second]).pipe(reconnectWithBackoff({}, { opened }));
      expectObservable(result, '^-------!').toBe('-n--r---', { n: reconnecting(1, 'cut', 0), r: notice('reconnected', 'reconnected after 1 attempt(s)', { attempt: 1 }) });
    });
  });

  it('completes with its source, though opened never completes', () => {
    const opened = new Subject<void>();
    let completed = false;
    sequence([defer(() => [stdout('a')])]).pipe(reconnectWithBackoff({}, { opened })).subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
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
    expect(() => reconnectWithBackoff({ initialDelay: 10, maxDelay: 5 })).toThrow('reconnectWithBackoff: maxDelay must be >= initialDelay (10), got 5');
  });
});
