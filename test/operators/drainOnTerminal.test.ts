import { EMPTY, NEVER, TimeoutError, concat, defer, finalize, mergeMap, of, retry, throwError, timeout, timer, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  AttachDisconnectedError,
  AttachRejectedError,
  ReconnectRequiredError,
  isReconnectRequiredError,
} from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';
import type { ProbeResult } from '../../src/protocol/probeResult.js';
import { drainOnTerminal, type DrainOnTerminalConfig } from '../../src/operators/drainOnTerminal.js';
import { completed, drainIncomplete, exitFrame, exitProbed, running, stdout } from '../../marbles/values.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const cut = new AttachDisconnectedError('attach: socket closed before the exit frame (code 1006)', 1006);
const values: Record<string, ExecEvent> = { a: stdout('a'), b: stdout('b'), x: exitFrame(0) };
const answers: Record<string, ProbeResult> = { t: completed(0), r: running };

describe('drainOnTerminal: the RxJS operator checklist', () => {
  it('mirrors an empty source and never probes', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('|');
      const probe = cold<ProbeResult>('-t|', answers);
      expectObservable(source.pipe(drainOnTerminal({ probe: () => probe, reattach: () => EMPTY }))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
      expectSubscriptions(probe.subscriptions).toBe([]);
    });
  });

  it('mirrors a never source', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-');
      expectObservable(source.pipe(drainOnTerminal({ probe: () => NEVER, reattach: () => NEVER }))).toBe('-');
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('passes a synchronous error that is not a cut through untouched, same instance', () => {
    const boom = new Error('boom');
    let seen: unknown;
    throwError(() => boom)
      .pipe(drainOnTerminal({ probe: () => NEVER, reattach: () => NEVER }))
      .subscribe({ error: (error: unknown) => (seen = error) });
    expect(seen).toBe(boom);
  });

  it('handles a synchronous cut: probe and drain at once', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const reattach = cold<ExecEvent>('-a-x|', values);
      const result = throwError(() => cut).pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => reattach }));
      expectObservable(result).toBe('-a-x|', values);
    });
  });

  it('leaves a TimeoutError from upstream a TimeoutError', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const probe = cold<ProbeResult>('-t|', answers);
      const source = cold<ExecEvent>('-a------', values).pipe(timeout({ each: 3 }));
      const result = source.pipe(drainOnTerminal({ probe: () => probe, reattach: () => NEVER }));
      expectObservable(result).toBe('-a--#', values, new TimeoutError());
      expectSubscriptions(probe.subscriptions).toBe([]);
    });
  });

  it('composes with a downstream timeout: the drain is unsubscribed when it fires', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const probe = cold<ProbeResult>('--------t|', answers);
      const result = source.pipe(drainOnTerminal({ probe: () => probe, reattach: () => NEVER }), timeout({ each: 4 }));
      expectObservable(result).toBe('-a---#', values, new TimeoutError());
      expectSubscriptions(probe.subscriptions).toBe('--^--!');
    });
  });

  it('composes with a downstream retry: a running probe resubscribes the source after the delay', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      let attempt = 0;
      const first = cold<ExecEvent>('-a#', values, cut);
      const second = cold<ExecEvent>('-b-x|', values);
      const source = timer(0).pipe(mergeMap(() => (attempt++ === 0 ? first : second)));
      const probe = cold<ProbeResult>('-r|', answers);
      const result = source.pipe(
        drainOnTerminal({ probe: () => probe, reattach: () => NEVER }),
        retry({ delay: (error: unknown) => (isReconnectRequiredError(error) ? timer(3) : throwError(() => error)) }),
      );
      expectObservable(result).toBe('-a-----b-x|', values);
      expectSubscriptions(probe.subscriptions).toBe('--^!');
      expectSubscriptions(second.subscriptions).toBe('------^---!');
    });
  });

  it('does not break the unsubscription chain', () => {
    createTestScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<ExecEvent>('-a-b-x|', values);
      const result = source.pipe(
        mergeMap((event) => of(event)),
        drainOnTerminal({ probe: () => NEVER, reattach: () => NEVER }),
        mergeMap((event) => of(event)),
      );
      expectObservable(result, '^--!').toBe('-a-', values);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('finalizes the cut socket before the probe and the re-attach start', () => {
    const order: string[] = [];
    const tracked = <T>(name: string, source: Observable<T>): Observable<T> =>
      defer(() => {
        order.push(`${name} subscribed`);
        return source;
      }).pipe(finalize(() => order.push(`${name} finalized`)));
    const reattach = tracked('reattach', of(stdout('a'), exitFrame(0)));
    const probe = tracked('probe', of(completed(0)));
    const source = tracked('source', throwError(() => cut));
    const events: string[] = [];
    source
      .pipe(
        drainOnTerminal({
          probe: () => probe,
          reattach: () => reattach,
        }),
      )
      .subscribe({ next: (event) => events.push(event.type), complete: () => order.push('complete') });
    // The old socket must be gone before the re-attach, or the server answers 409 to our own slot.
    // The probe's request is already answered when its result starts the drain; concatMap releases
    // it when the drain ends.
    expect(order).toEqual([
      'source subscribed',
      'source finalized',
      'probe subscribed',
      'reattach subscribed',
      'reattach finalized',
      'complete',
      'probe finalized',
    ]);
    expect(events).toEqual(['stdout', 'exit']);
  });

  it('treats a probe that completes without a result as unavailable: retryable', () => {
    let seen: unknown;
    throwError(() => cut)
      .pipe(drainOnTerminal({ probe: () => EMPTY, reattach: () => NEVER }))
      .subscribe({ error: (error: unknown) => (seen = error) });
    expect(seen).toBeInstanceOf(ReconnectRequiredError);
    expect((seen as ReconnectRequiredError).probe).toEqual({ state: 'unavailable', reason: 'the probe gave no result' });
    expect((seen as ReconnectRequiredError).cause).toBe(cut);
  });

  it('passes an error of the probe itself through', () => {
    const broken = new Error('probe bug');
    let seen: unknown;
    throwError(() => cut)
      .pipe(drainOnTerminal({ probe: () => throwError(() => broken), reattach: () => NEVER }))
      .subscribe({ error: (error: unknown) => (seen = error) });
    expect(seen).toBe(broken);
  });

  it('subscribes the re-attach once per cut, and the probe once', () => {
    let probes = 0;
    let reattaches = 0;
    const events: ExecEvent[] = [];
    throwError(() => cut)
      .pipe(
        drainOnTerminal({
          probe: () => {
            probes += 1;
            return of(completed(7));
          },
          reattach: () => {
            reattaches += 1;
            return throwError(() => cut);
          },
        }),
      )
      .subscribe((event) => events.push(event));
    expect([probes, reattaches]).toEqual([1, 1]);
    expect(events.at(-1)).toEqual({ type: 'exit', exitCode: 7, source: 'probe' });
    expect(events.filter((event) => event.type === 'exit')).toHaveLength(1);
  });

  it('carries the status diagnostic on a probed exit', () => {
    const events: ExecEvent[] = [];
    throwError(() => cut)
      .pipe(
        drainOnTerminal({
          probe: () => of<ProbeResult>({ state: 'terminal', status: 'killed', exitCode: -1, message: 'status killed without an exit code' }),
          reattach: () => EMPTY,
        }),
      )
      .subscribe((event) => events.push(event));
    expect(events).toEqual([
      {
        type: 'notice',
        kind: 'drain-incomplete',
        message: 'the re-attach ended without an exit frame; exit code -1 from the status endpoint',
      },
      { type: 'exit', exitCode: -1, source: 'probe', message: 'status killed without an exit code' },
    ]);
  });

  it('rejects a drainTimeout that is not positive, naming it', () => {
    expect(() => drainOnTerminal({ probe: () => NEVER, reattach: () => NEVER, drainTimeout: 0 })).toThrow(
      new RangeError('drainOnTerminal: drainTimeout must be a positive number of milliseconds up to 2147483647, got 0'),
    );
  });
});

const conflict = new AttachRejectedError('attach refused: HTTP 409', 409);
/** The fallback: the notice naming why, then the probed exit code 0. */
const fallback = (reason: string): Record<string, ExecEvent> => ({ ...values, n: drainIncomplete(reason, 0), y: exitProbed(0) });

describe('drainOnTerminal: drainSettle, a drain that opened but sends nothing', () => {
  it('settles drainSettle after the open when nothing comes: the probed exit code, long before drainTimeout', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const probe = cold<ProbeResult>('-t|', answers);
      const opened = hot<unknown>('-----o');
      const reattach = cold<ExecEvent>('------------');
      const result = source.pipe(drainOnTerminal({ probe: () => probe, reattach: () => reattach, opened, drainSettle: 4, drainTimeout: 100 }));
      expectObservable(result).toBe('-a-------(ny|)', fallback('the re-attach sent nothing for 4 ms'));
      expectSubscriptions(reattach.subscriptions).toBe('---^-----!');
      // The open signal is listened to only while the re-attach runs.
      expectSubscriptions(opened.subscriptions).toBe('---^-----!');
    });
  });

  it('restarts the clock at every event: the drain ends drainSettle after its last one', () => {
    createTestScheduler().run(({ cold, hot, expectObservable }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const opened = hot<unknown>('----o');
      const reattach = cold<ExecEvent>('--a--b-------', values);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => reattach, opened, drainSettle: 3, drainTimeout: 100 }));
      expectObservable(result).toBe('-a--a--b--(ny|)', fallback('the re-attach sent nothing for 3 ms'));
    });
  });

  it('does not end a drain whose events come closer than drainSettle: it leaves through the exit frame', () => {
    createTestScheduler().run(({ cold, hot, expectObservable }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const opened = hot<unknown>('--o');
      const reattach = cold<ExecEvent>('-a--b--b--x|', values);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => reattach, opened, drainSettle: 3, drainTimeout: 100 }));
      expectObservable(result).toBe('-a-a--b--b--x|', values);
    });
  });

  it('before the open, only drainTimeout bounds the drain (409 retries may take longer than drainSettle)', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const opened = hot<unknown>('-------------o');
      // The socket opens 11 ms after the drain starts (its 409s waited out), then replays and exits.
      const reattach = cold<ExecEvent>('-----------a-x|', values);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => reattach, opened, drainSettle: 3, drainTimeout: 20 }));
      expectObservable(result).toBe('-a-----------a-x|', values);
      expectSubscriptions(reattach.subscriptions).toBe('--^-------------!');
    });
  });

  it('a drain that never opens ends at drainTimeout, whatever drainSettle', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => NEVER, opened: NEVER, drainSettle: 3, drainTimeout: 10 }));
      expectObservable(result).toBe('-a----------(ny|)', fallback('the re-attach did not finish within 10 ms'));
    });
  });

  it('without an open signal, the first event starts the clock', () => {
    createTestScheduler().run(({ cold, expectObservable }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const reattach = cold<ExecEvent>('-----a------', values);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => reattach, drainSettle: 4, drainTimeout: 100 }));
      expectObservable(result).toBe('-a-----a---(ny|)', fallback('the re-attach sent nothing for 4 ms'));
    });
  });

  it('drainTimeout still bounds a drain that keeps sending', () => {
    createTestScheduler().run(({ cold, hot, expectObservable }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const opened = hot<unknown>('--o');
      const reattach = cold<ExecEvent>('-a-b-b-b-b-b-b-b', values);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => reattach, opened, drainSettle: 3, drainTimeout: 8 }));
      expectObservable(result).toBe('-a-a-b-b-b(ny|)', fallback('the re-attach did not finish within 8 ms'));
    });
  });
});

describe('drainOnTerminal: drainReattempts, a drain cut after its open', () => {
  it('is attached again at once; the same replay then the exit frame: one exit, from the frame', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const opened = hot<unknown>('---o---o');
      const first = cold<ExecEvent>('-a-#', values, cut);
      const second = cold<ExecEvent>('--a-x|', values);
      const drains = [first, second];
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => drains.shift() ?? NEVER, opened }));
      // Without skipReplayed the replayed `a` shows twice; `exec` puts skipReplayed on the re-attach.
      expectObservable(result).toBe('-a-a---a-x|', values);
      expectSubscriptions(first.subscriptions).toBe('--^--!');
      expectSubscriptions(second.subscriptions).toBe('-----^----!');
      expectSubscriptions(opened.subscriptions).toBe(['--^--!', '-----^----!']);
    });
  });

  it('a cut right after the open, before any frame, counts: the open signal says the socket opened', () => {
    createTestScheduler().run(({ cold, hot, expectObservable }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const opened = hot<unknown>('---o--o');
      const drains = [cold<ExecEvent>('--#', values, cut), cold<ExecEvent>('--a-x|', values)];
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => drains.shift() ?? NEVER, opened }));
      expectObservable(result).toBe('-a----a-x|', values);
    });
  });

  it('is bounded: after drainReattempts re-attaches, each cut after its open, the probed exit code', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const opened = hot<unknown>('---o-o-o');
      const drain = cold<ExecEvent>('-a#', values, cut);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => drain, opened, drainReattempts: 2 }));
      expectObservable(result).toBe('-a-a-a-a(ny|)', fallback('the re-attach failed: attach: socket closed before the exit frame (code 1006)'));
      expectSubscriptions(drain.subscriptions).toBe(['--^-!', '----^-!', '------^-!']);
    });
  });

  it('drainReattempts 0: the first cut is final, as before', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const drain = cold<ExecEvent>('-a#', values, cut);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => drain, drainReattempts: 0 }));
      expectObservable(result).toBe('-a-a(ny|)', fallback('the re-attach failed: attach: socket closed before the exit frame (code 1006)'));
      expectSubscriptions(drain.subscriptions).toBe('--^-!');
    });
  });

  it('is bounded by drainTimeout too: re-attaches stop at the deadline', () => {
    createTestScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const opened = hot<unknown>('---o--o--o--o');
      const drain = cold<ExecEvent>('--a#', values, cut);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => drain, opened, drainReattempts: 10, drainTimeout: 10 }));
      expectObservable(result).toBe('-a--a--a--a-(ny|)', fallback('the re-attach did not finish within 10 ms'));
      expectSubscriptions(drain.subscriptions).toBe(['--^--!', '-----^--!', '--------^--!', '-----------^!']);
    });
  });

  it('a cut before any open (no open signal, no event) is not re-attached: reattach already waited out the refusals', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const drain = cold<ExecEvent>('--#', values, cut);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => drain, opened: NEVER }));
      expectObservable(result).toBe('-a--(ny|)', fallback('the re-attach failed: attach: socket closed before the exit frame (code 1006)'));
      expectSubscriptions(drain.subscriptions).toBe('--^-!');
    });
  });

  it('a refusal (409 past reattach\'s deadline) is not re-attached', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const drain = cold<ExecEvent>('---#', values, conflict);
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => drain, opened: NEVER, isDisconnect: () => true }));
      expectObservable(result).toBe('-a---(ny|)', fallback('the re-attach failed: attach refused: HTTP 409'));
      expectSubscriptions(drain.subscriptions).toBe('--^--!');
    });
  });

  it('an error that is not a cut, after the open, is not re-attached', () => {
    createTestScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const drain = cold<ExecEvent>('-a#', values, new Error('decoder bug'));
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => drain }));
      expectObservable(result).toBe('-a-a(ny|)', fallback('the re-attach failed: decoder bug'));
      expectSubscriptions(drain.subscriptions).toBe('--^-!');
    });
  });

  it('the settle clock starts again at the next open', () => {
    createTestScheduler().run(({ cold, hot, expectObservable }) => {
      const source = cold<ExecEvent>('-a#', values, cut);
      const opened = hot<unknown>('---o-----o');
      const drains = [cold<ExecEvent>('-a--#', values, cut), cold<ExecEvent>('-------', values)];
      const result = source.pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach: () => drains.shift() ?? NEVER, opened, drainSettle: 4 }));
      expectObservable(result).toBe('-a-a---------(ny|)', fallback('the re-attach sent nothing for 4 ms'));
    });
  });

  it('finalizes the cut drain socket before the next re-attach starts (or the server would answer 409 to our own slot)', () => {
    const order: string[] = [];
    let drains = 0;
    const reattach = (): Observable<ExecEvent> =>
      defer(() => {
        drains += 1;
        const name = `drain ${drains}`;
        order.push(`${name} subscribed`);
        const events = drains === 1 ? concat(of(stdout('a')), throwError(() => cut)) : of(stdout('a'), exitFrame(0));
        return events.pipe(finalize(() => order.push(`${name} finalized`)));
      });
    const events: string[] = [];
    throwError(() => cut)
      .pipe(drainOnTerminal({ probe: () => of(completed(0)), reattach }))
      .subscribe({ next: (event) => events.push(event.type), complete: () => order.push('complete') });
    expect(order).toEqual(['drain 1 subscribed', 'drain 1 finalized', 'drain 2 subscribed', 'drain 2 finalized', 'complete']);
    expect(events).toEqual(['stdout', 'stdout', 'exit']);
  });
});

describe('drainOnTerminal: validation', () => {
  it.each([0, -1, Number.NaN])('rejects drainSettle %s, naming it', (drainSettle) => {
    expect(() => drainOnTerminal({ probe: () => NEVER, reattach: () => NEVER, drainSettle })).toThrow(
      new RangeError(`drainOnTerminal: drainSettle must be a positive number of milliseconds up to 2147483647, got ${drainSettle}`),
    );
  });

  it.each(['drainTimeout', 'drainSettle'] as const)('rejects %s past what a timer can wait (it would fire at once)', (name) => {
    expect(() => drainOnTerminal({ probe: () => NEVER, reattach: () => NEVER, [name]: Infinity })).toThrow(
      new RangeError(`drainOnTerminal: ${name} must be a positive number of milliseconds up to 2147483647, got Infinity`),
    );
    expect(() => drainOnTerminal({ probe: () => NEVER, reattach: () => NEVER, [name]: 2_147_483_647 })).not.toThrow();
  });

  it.each([-1, 1.5, Number.NaN])('rejects drainReattempts %s, naming it', (drainReattempts) => {
    expect(() => drainOnTerminal({ probe: () => NEVER, reattach: () => NEVER, drainReattempts })).toThrow(
      new RangeError(`drainOnTerminal: drainReattempts must be an integer >= 0, got ${drainReattempts}`),
    );
  });

  it.each([
    ['drainTimout', { drainTimout: 1000 }, 'drainOnTerminal: unknown option drainTimout'],
    ['reattempts', { reattempts: 3 }, 'drainOnTerminal: unknown option reattempts'],
    ['isdisconnect', { isdisconnect: () => true }, 'drainOnTerminal: unknown option isdisconnect'],
  ])('rejects the unknown key %s with a TypeError naming it', (_key, extra, message) => {
    const error = (() => {
      try {
        drainOnTerminal({ probe: () => NEVER, reattach: () => NEVER, ...extra });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('drainOnTerminal did not throw');
    })();
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(message);
  });

  it('accepts every documented key', () => {
    const config = {
      probe: () => NEVER,
      reattach: () => NEVER,
      drainTimeout: 1,
      drainSettle: 1,
      drainReattempts: 0,
      opened: NEVER,
      isDisconnect: () => true,
      isFinal: () => false,
      executionId: 'e1',
    } satisfies Required<DrainOnTerminalConfig>;
    expect(() => drainOnTerminal(config)).not.toThrow();
  });
});
