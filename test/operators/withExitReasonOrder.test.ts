/** `withExitReason` keeps `concatMap`'s order: what follows a failed exit waits for its reason. */
import { describe, it } from 'vitest';
import type { ExecEvent } from '../../src/events.js';
import { withExitReason } from '../../src/operators/withExitReason.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const exit = (exitCode: number, source: 'frame' | 'probe'): ExecEvent => ({ type: 'exit', exitCode, source });
const failed = exit(127, 'frame');
const killed = exit(137, 'probe');
const values: Record<string, ExecEvent> = { a: { type: 'stderr', data: new TextEncoder().encode('ls: cannot access\n') }, x: failed, k: killed };

describe('withExitReason: order while a reason is asked for', () => {
  it('holds what follows a failed exit, completion included, until the reason comes', () => {
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const reason = cold('----r|', { r: 'spawn no-such-binary ENOENT' });
      expectObservable(cold('-x-a|', values).pipe(withExitReason(() => reason))).toBe('-----(ya|)', {
        ...values,
        y: { ...failed, message: 'spawn no-such-binary ENOENT' },
      });
      expectSubscriptions(reason.subscriptions).toBe('-^---!');
    });
  });

  it('asks for a second failed exit only after the first is out, and keeps the order', () => {
    createTestScheduler('exact').run(({ cold, expectObservable }) => {
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
    createTestScheduler('exact').run(({ cold, expectObservable }) => {
      const cut = new Error('cut');
      expectObservable(cold('-x-#', values, cut).pipe(withExitReason(() => cold('----r|', { r: 'late' })))).toBe('---#', values, cut);
    });
  });
});
