/**
 * `reattach` meets a runner draining for a deploy: its 503 is waited out like a 409, within the
 * same deadline; other refusals stay final at once.
 */
import { asyncScheduler, defer, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AttachRejectedError } from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';
import { reattach } from '../../src/observables/reattach.js';
import { exitFrame, stdout } from '../../marbles/values.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const values: Record<string, ExecEvent> = { a: stdout('a'), x: exitFrame(0) };
const draining = (): AttachRejectedError => new AttachRejectedError('attach refused: runner is draining', 503);

describe('reattach: a draining 503 waited out like a 409', () => {
  it('503 until 400 ms: attempts at 0, 50, 150, 350 (503 each), 750 drains', () => {
    const scheduler = createTestScheduler();
    const attempts: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const attach$ = defer(() => {
        attempts.push(asyncScheduler.now());
        return asyncScheduler.now() >= 400 ? cold<ExecEvent>('-a-(x|)', values) : throwError(draining);
      });
      expectObservable(reattach(attach$, { deadline: 3000 })).toBe('751ms a-(x|)', values);
    });
    expect(attempts).toEqual([0, 50, 150, 350, 750]);
  });

  it('a drain that outlasts the deadline: the 503 at the deadline is final, the same error', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(reattach(throwError(draining), { deadline: 1000 })).toBe('1000ms #', undefined, draining());
    });
  });

  it.each([[502], [404], [401]])('a %i stays final at once', (status) => {
    const scheduler = createTestScheduler();
    const refused = new AttachRejectedError(`attach refused: HTTP ${status}`, status);
    let attempts = 0;
    scheduler.run(({ expectObservable }) => {
      const attach$ = defer(() => {
        attempts += 1;
        return throwError(() => refused);
      });
      expectObservable(reattach(attach$, { deadline: 3000 })).toBe('#', undefined, refused);
    });
    expect(attempts).toBe(1);
  });
});
