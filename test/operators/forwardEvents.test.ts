/**
 * `forwardEvents` in marbles: notices go out in the tick they happen, before the events they
 * announce; the exit completes; a failure errors; completion and unsubscription as documented.
 */
import { Subject, defer, retry, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ExecEvent } from '../../src/events.js';
import { forwardEvents } from '../../src/operators/forwardEvents.js';
import { exitFrame, reconnecting, stdout } from '../../marbles/values.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const values: Record<string, ExecEvent> = { a: stdout('a'), b: stdout('b'), c: stdout('c'), x: exitFrame(0), n: reconnecting(1, 'cut', 0) };
const badInput = new TypeError('stdin: chunks must be Uint8Array or string');

describe('forwardEvents', () => {
  it('puts the notices beside among the events as they happen; the exit completes and unsubscribes all', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('--a----b---x--c|', values);
      const notices = hot<ExecEvent>('-----n---------n', values);
      expectObservable(source.pipe(forwardEvents({ beside: [notices] }))).toBe('--a--n-b---(x|)', values);
      expectSubscriptions(source.subscriptions).toBe('^----------!');
      expectSubscriptions(notices.subscriptions).toBe('^----------!');
    });
  });

  it('a notice emitted as the source fails goes out in that tick, before the events of the attempt it announces', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const notices = new Subject<ExecEvent>();
      const attempts = [cold<ExecEvent>('-a-#', values), cold<ExecEvent>('b-----x|', values)];
      let next = 0;
      // The second attempt is announced as it starts, in the tick the first failed: as reconnectWithBackoff does.
      const source = defer(() => {
        if (next > 0) notices.next(values['n'] as ExecEvent);
        return attempts[next++] as Observable<ExecEvent>;
      }).pipe(retry());
      expectObservable(source.pipe(forwardEvents({ beside: [notices] }))).toBe('-a-(nb)--(x|)', values);
    });
  });

  it('a failure beside errors the result at once, with the same error', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('--a-----b--', values);
      const failures = hot<ExecEvent>('-----#', values, badInput);
      expectObservable(source.pipe(forwardEvents({ beside: [failures] }))).toBe('--a--#', values, badInput);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('a side that errors as it is subscribed errors the result before the source is subscribed', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('--a--', values);
      const failed = throwError(() => badInput);
      expectObservable(source.pipe(forwardEvents({ beside: [failed] }))).toBe('#', values, badInput);
      expectSubscriptions(source.subscriptions).toBe([]);
    });
  });

  it('the source erroring errors the result; a side completing ends nothing', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const done = cold<ExecEvent>('-n|', values);
      expectObservable(cold<ExecEvent>('--a--#', values, badInput).pipe(forwardEvents({ beside: [done] }))).toBe('-na--#', values, badInput);
      expectObservable(cold<ExecEvent>('--a----b--x|', values).pipe(forwardEvents({ beside: [done] }))).toBe('-na----b--(x|)', values);
    });
  });

  it('the source completing completes the result; with untilExit: false the exit passes and completion ends it', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<ExecEvent>('--a--|', values).pipe(forwardEvents())).toBe('--a--|', values);
      expectObservable(cold<ExecEvent>('--a-x-b|', values).pipe(forwardEvents({ untilExit: false }))).toBe('--a-x-b|', values);
    });
  });

  it('onEvent sees each event of the source, not the notices beside, as it goes out', () => {
    const seen: string[] = [];
    createTestScheduler().run(({ cold, hot, expectObservable }) => {
      const onEvent = (event: ExecEvent): void => {
        seen.push(event.type);
      };
      expectObservable(cold<ExecEvent>('-a-x|', values).pipe(forwardEvents({ beside: [hot<ExecEvent>('--n', values)], onEvent }))).toBe('-an(x|)', values);
    });
    expect(seen).toEqual(['stdout', 'exit']);
  });

  it('unsubscribing unsubscribes the source and every side', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('--a--b--', values);
      const notices = hot<ExecEvent>('--------', values);
      expectObservable(source.pipe(forwardEvents({ beside: [notices] })), '^---!').toBe('--a--', values);
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectSubscriptions(notices.subscriptions).toBe('^---!');
    });
  });
});
