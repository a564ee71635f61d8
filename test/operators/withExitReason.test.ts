/** `withExitReason`: the server's reason on a failed exit, one request, nothing else touched. */
import { Observable, throwError } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { ExecEvent } from '../../src/events.js';
import { withExitReason } from '../../src/operators/withExitReason.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const scheduler = (): TestScheduler => createTestScheduler('exact');

const out: ExecEvent = { type: 'stdout', data: new Uint8Array([104, 105]) };
const failed: ExecEvent = { type: 'exit', exitCode: 127, source: 'frame' };
const ok: ExecEvent = { type: 'exit', exitCode: 0, source: 'frame' };
const values = { a: out, x: failed, z: ok };

describe('withExitReason', () => {
  it('asks once on a failed exit and adds the reason', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--x|', values);
      const reason = cold('--r|', { r: 'spawn no-such-binary ENOENT' });
      expectObservable(source.pipe(withExitReason(() => reason))).toBe('--a----(y|)', {
        ...values,
        y: { ...failed, message: 'spawn no-such-binary ENOENT' },
      });
      expectSubscriptions(reason.subscriptions).toBe('-----^-!');
    });
  });

  it('passes a zero exit, and an exit that has a message, in the same frame, without asking', () => {
    scheduler().run(({ cold, expectObservable }) => {
      let asked = 0;
      const reason = new Observable<string>(() => {
        asked += 1;
      });
      const withMessage: ExecEvent = { ...failed, message: 'from the probe' };
      expectObservable(cold('--a--z|', values).pipe(withExitReason(() => reason))).toBe('--a--z|', values);
      expectObservable(cold('--m|', { m: withMessage }).pipe(withExitReason(() => reason))).toBe('--m|', { m: withMessage });
      scheduler().flush();
      expect(asked).toBe(0);
    });
  });

  it('sends the exit as it was when there is no reason, or the request fails', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('--x|', values).pipe(withExitReason(() => cold('-u|', { u: undefined })))).toBe('---(x|)', values);
      expectObservable(cold('--x|', values).pipe(withExitReason(() => cold('-|')))).toBe('---(x|)', values);
      expectObservable(cold('--x|', values).pipe(withExitReason(() => throwError(() => new Error('503'))))).toBe('--x|', values);
    });
  });

  it('passes errors through and cancels the request on unsubscribe', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const boom = new Error('cut');
      expectObservable(cold('--a--#', values, boom).pipe(withExitReason(() => cold('-r|', { r: 'r' })))).toBe('--a--#', values, boom);
      const reason = cold('-----r|', { r: 'late' });
      expectObservable(cold('--x|', values).pipe(withExitReason(() => reason)), '^----!').toBe('------', values);
      expectSubscriptions(reason.subscriptions).toBe('--^--!');
    });
  });
});
