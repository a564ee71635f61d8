/**
 * `drainOnTerminal`'s 401/403 row, `reattach`'s retry of a refusal without a status, and the
 * recovery policy's rules for them (`isFinalDrainFailure`, `unopenedError`), in virtual time.
 */
import { defer, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isFinalDrainFailure, unopenedError } from '../../src/client/recoverable.js';
import {
  AttachDisconnectedError,
  AttachRejectedError,
  ExecutionGoneError,
  ReconnectBudgetExceededError,
  ReconnectRequiredError,
} from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';
import { isAuthRefusal } from '../../src/observables/attach.js';
import { reattach } from '../../src/observables/reattach.js';
import type { ProbeResult } from '../../src/protocol/probeResult.js';
import { drainOnTerminal } from '../../src/operators/drainOnTerminal.js';
import { completed, drainIncomplete, exitFrame, exitProbed, running, stdout } from '../../marbles/values.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const cut = new AttachDisconnectedError('attach: socket closed before the exit frame (code 1006)', 1006);
const values: Record<string, ExecEvent> = { a: stdout('a'), x: exitFrame(0) };
const answers: Record<string, ProbeResult> = { t: completed(3), r: running };
const refused = (status: number | undefined): AttachRejectedError => new AttachRejectedError(`attach refused: HTTP ${status}`, status);

describe('drainOnTerminal: a refusal for auth ends the drain with its error', () => {
  it.each([401, 403])('%i on the re-attach: the same error, no fallback to the probed exit code', (status) => {
    const error = refused(status);
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a-#', values, cut);
      const probe = cold<ProbeResult>('-t|', answers);
      const drain = cold<ExecEvent>('-#', undefined, error);
      expectObservable(source.pipe(drainOnTerminal({ probe: () => probe, reattach: () => drain }))).toBe('-a---#', values, error);
      expectSubscriptions(drain.subscriptions).toBe('----^!');
    });
  });

  it('401 on a re-attach after a drain socket that opened and was cut: the error', () => {
    const error = refused(401);
    createTestScheduler('exact').run(({ cold, expectObservable }) => {
      const source = cold<ExecEvent>('-#', undefined, cut);
      const probe = cold<ProbeResult>('-t|', answers);
      const drains = [cold<ExecEvent>('-a-#', values, cut), cold<ExecEvent>('-#', undefined, error)];
      let next = 0;
      const result = source.pipe(drainOnTerminal({ probe: () => probe, reattach: () => defer(() => drains[next++] as Observable<ExecEvent>) }));
      expectObservable(result).toBe('---a--#', values, error);
    });
  });

  it.each([404, 409, 502, undefined])('%s on the re-attach: the fallback stays, a notice then the probed exit code', (status) => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold<ExecEvent>('-#', undefined, cut);
      const probe = cold<ProbeResult>('-t|', answers);
      const drain = cold<ExecEvent>('-#', undefined, refused(status));
      const result = source.pipe(drainOnTerminal({ probe: () => probe, reattach: () => drain }));
      expectObservable(result).toBe('---(nx|)', {
        n: drainIncomplete(`the re-attach failed: attach refused: HTTP ${status}`, 3),
        x: exitProbed(3),
      });
    });
  });

  it('isFinal decides instead of the default: a 404 made final, a 401 made a fallback', () => {
    const evicted = refused(404);
    createTestScheduler('exact').run(({ cold, expectObservable }) => {
      const source = cold<ExecEvent>('-#', undefined, cut);
      const probe = cold<ProbeResult>('-t|', answers);
      const config = { probe: () => probe, isFinal: (error: unknown) => error === evicted };
      expectObservable(source.pipe(drainOnTerminal({ ...config, reattach: () => cold<ExecEvent>('-#', undefined, evicted) }))).toBe('---#', undefined, evicted);
    });
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold<ExecEvent>('-#', undefined, cut);
      const probe = cold<ProbeResult>('-t|', answers);
      const result = source.pipe(drainOnTerminal({ probe: () => probe, isFinal: () => false, reattach: () => cold<ExecEvent>('-#', undefined, refused(401)) }));
      expectObservable(result).toBe('---(nx|)', { n: drainIncomplete('the re-attach failed: attach refused: HTTP 401', 3), x: exitProbed(3) });
    });
  });

  it('a 401 of the source itself is not a cut: it passes through, no probe', () => {
    const error = refused(401);
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const probe = cold<ProbeResult>('-t|', answers);
      expectObservable(cold<ExecEvent>('-#', undefined, error).pipe(drainOnTerminal({ probe: () => probe, reattach: () => throwError(() => cut) }))).toBe(
        '-#',
        undefined,
        error,
      );
      expectSubscriptions(probe.subscriptions).toBe([]);
    });
  });
});

describe('reattach: a refusal without a status is retried as a 409', () => {
  it('retried with the backoff until accepted', () => {
    let attempts = 0;
    createTestScheduler().run(({ cold, expectObservable }) => {
      const attach$ = defer(() => {
        attempts += 1;
        return attempts < 3 ? cold<ExecEvent>('-#', undefined, refused(undefined)) : cold<ExecEvent>('-a-(x|)', values);
      });
      // Attempts at 0, 1 + 10 and 12 + 20: the third replays and exits.
      expectObservable(reattach(attach$, { initialDelay: 10, maxDelay: 20, deadline: 100 })).toBe('33ms a-(x|)', values);
    });
    expect(attempts).toBe(3);
  });

  it('final at the deadline, with the same error', () => {
    const error = refused(undefined);
    createTestScheduler('exact').run(({ cold, expectObservable }) => {
      expectObservable(reattach(cold<ExecEvent>('-#', undefined, error), { initialDelay: 10, maxDelay: 10, deadline: 25 })).toBe('26ms #', undefined, error);
    });
  });
});

describe('the recovery rules for refusals', () => {
  it('isAuthRefusal: 401 and 403 only', () => {
    expect([401, 403, 400, 404, 409, 502, undefined].map((status) => isAuthRefusal(refused(status)))).toEqual([true, true, false, false, false, false, false]);
    expect(isAuthRefusal(cut)).toBe(false);
  });

  it('isFinalDrainFailure: auth always; a refusal without a status only while no socket opened', () => {
    expect(isFinalDrainFailure(refused(403), true)).toBe(true);
    expect(isFinalDrainFailure(refused(undefined), false)).toBe(true);
    expect(isFinalDrainFailure(refused(undefined), true)).toBe(false);
    expect(isFinalDrainFailure(refused(409), false)).toBe(false);
    expect(isFinalDrainFailure(cut, false)).toBe(false);
  });

  it('unopenedError: a refusal without a status, alone or behind a spent budget, names webSocketAuth; others stay', () => {
    const unknown = refused(undefined);
    const budget = new ReconnectBudgetExceededError(4, { cause: new ReconnectRequiredError({ state: 'running' }, { cause: unknown }) });
    for (const error of [unknown, budget]) {
      const mapped = unopenedError(error) as AttachRejectedError;
      expect(mapped).toBeInstanceOf(AttachRejectedError);
      expect(mapped).toMatchObject({ message: 'attach refused: status unknown (likely a wrong token or webSocketAuth)', status: undefined, cause: error });
    }
    const others = [
      refused(409),
      new ReconnectBudgetExceededError(2, { cause: new ReconnectRequiredError({ state: 'running' }, { cause: cut }) }),
      new ExecutionGoneError('e1', 'execution gone', { cause: unknown }),
    ];
    for (const error of others) expect(unopenedError(error)).toBe(error);
  });
});
