import { EMPTY, NEVER, TimeoutError, defer, finalize, mergeMap, of, retry, throwError, timeout, timer, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  AttachDisconnectedError,
  ReconnectRequiredError,
  isReconnectRequiredError,
} from '../src/errors.js';
import type { ExecEvent } from '../src/events.js';
import type { ProbeResult } from '../src/observables/probeResult.js';
import { drainOnTerminal } from '../src/operators/drainOnTerminal.js';
import { completed, exitFrame, running, stdout } from '../marbles/values.js';
import { createTestScheduler } from './support/marbleHarness.js';

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
      new RangeError('drainOnTerminal: drainTimeout must be > 0, got 0'),
    );
  });
});
