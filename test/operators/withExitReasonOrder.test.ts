/** `withExitReason` keeps `concatMap`'s order: what follows a failed exit waits for its reason. */
import type { TestScheduler } from 'rxjs/testing';
import { describe, it } from 'vitest';
import type { ExecEvent } from '../../src/events.js';
import { withExitReason } from '../../src/operators/withExitReason.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const scheduler = (): TestScheduler => createTestScheduler('exact');

const out: ExecEvent = { type: 'stdout', data: new Uint8Array([104, 105]) };
const failed: ExecEvent = { type: 'exit', exitCode: 127, source: 'frame' };
const killed: ExecEvent = { type: 'exit', exitCode: 137, source: 'probe' };
const values = { a: out, x: failed, k: killed };

describe('withExitReason: order while a reason is asked for', () => {
  it('holds what follows a failed exit, completion included, until the reason comes', () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const reason = cold('----r|', { r: 'spawn no-such-binary ENOENT' });
      expectObservable(cold('-x-a|', values).pipe(withExitReason(() => reason))).toBe('-----(ya|)', {
        ...values,
        y: { ...failed, message: 'spawn no-such-binary ENOENT' },
      });
      expectSubscriptions(reason.subscriptions).toBe('-^---!');
    });
  });

  it('asks for a second failed exit only after the first is out, and keeps the order', () => {
    scheduler().run(({ cold, expectObservable }) => {
      let asked = 0;
      const reason = (): ReturnType<typeof cold<string>> => {
        asked += 1;
        return cold('--r|', { r: `reason ${asked}` });
      };
      expectObservable(cold('-xka|', values).pipe(withExitReason(reason))).toBe('---y-(la|)', {
        ...values,
        y: { ...failed, message: 'reason 1' },
        l: { ...killed, message: 'reason 2' },
      });
    });
  });

  it('passes an error at once, even while a reason is asked for', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cut = new Error('cut');
      expectObservable(cold('-x-#', values, cut).pipe(withExitReason(() => cold('----r|', { r: 'late' })))).toBe('---#', values, cut);
    });
  });
});
