import { Observable, retry, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { retryAfter } from '../../src/operators/retryAfter.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const boom = new Error('boom');

describe('retryAfter', () => {
  it('waits the delay given, then resubscribes; the attempt counts from 1', () => {
    const attempts: number[] = [];
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--#', {}, boom);
      const result = source.pipe(
        retryAfter((error, attempt) => {
          expect(error).toBe(boom);
          attempts.push(attempt);
          if (attempt > 2) throw new Error(`gave up after ${attempt}`);
          return 3;
        }),
      );
      expectObservable(result).toBe('--a-------a-------a--#', {}, new Error('gave up after 3'));
      expectSubscriptions(source.subscriptions).toBe(['^----!', '--------^----!', '----------------^----!']);
    });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("'now' resubscribes in the same frame, after the failed subscription's teardown", () => {
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--#', {}, boom);
      expectObservable(source.pipe(retryAfter(() => 'now', 2))).toBe('--a----a----a--#', {}, boom);
      expectSubscriptions(source.subscriptions).toBe(['^----!', '-----^----!', '----------^----!']);
    });
    const log: string[] = [];
    let subscriptions = 0;
    const source = new Observable<number>((subscriber) => {
      const n = (subscriptions += 1);
      log.push(`subscribe ${n}`);
      if (n < 3) queueMicrotask(() => subscriber.error(boom));
      else subscriber.complete();
      return () => log.push(`teardown ${n}`);
    });
    return new Promise<void>((done) => {
      source.pipe(retryAfter(() => 'now')).subscribe({ complete: done });
    }).then(() => expect(log).toEqual(['subscribe 1', 'teardown 1', 'subscribe 2', 'teardown 2', 'subscribe 3', 'teardown 3']));
  });

  it('resubscribes a source that fails during its subscribe at once, until one lives', () => {
    createTestScheduler('exact').run(({ expectObservable }) => {
      let subscriptions = 0;
      const source = new Observable<string>((subscriber) => {
        subscriptions += 1;
        if (subscriptions < 4) subscriber.error(boom);
        else subscriber.next('a');
      });
      expectObservable(source.pipe(retryAfter(() => 'now'))).toBe('a');
    });
  });

  it('passes the error through after `count` retries, and a thrown error at once', () => {
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', {}, boom);
      expectObservable(source.pipe(retryAfter(() => 1, 1))).toBe('---#', {}, boom);
      expectSubscriptions(source.subscriptions).toBe(['^!', '--^!']);
      const thrown = cold('-#', {}, boom);
      expectObservable(thrown.pipe(retryAfter(() => { throw new Error('final'); }))).toBe('-#', {}, new Error('final'));
    });
  });

  it('matches retry({ count, delay: timer }) frame for frame', () => {
    createTestScheduler('exact').run(({ cold, expectObservable }) => {
      const source = cold('-a-#', {}, boom);
      const delay = (_: unknown, attempt: number): number => attempt * 2;
      const expected = '-a----a------a--------a-#';
      expectObservable(source.pipe(retryAfter(delay, 3))).toBe(expected, {}, boom);
      expectObservable(source.pipe(retry({ count: 3, delay: (error, attempt) => timer(delay(error, attempt)) }))).toBe(expected, {}, boom);
    });
  });

  it('passes values and completion through; unsubscribing cancels a wait and the source', () => {
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#', {}, boom);
      expectObservable(source.pipe(retryAfter(() => 10)), '^-----!').toBe('-a----', {});
      expectSubscriptions(source.subscriptions).toBe('^--!');
      const completes = cold('-a|');
      expectObservable(completes.pipe(retryAfter(() => 'now'))).toBe('-a|');
    });
  });
});
