/**
 * `followExecution` and `context.preconnect` on virtual time: when the next socket is opened ahead
 * (with the probe, after a cut of a socket that made progress), who takes it (the attach after the
 * probe's answer), and when it is closed unused (an unavailable or gone probe, the end). The fake
 * socket opened ahead plays its lane from the moment it is taken (what a real one held until
 * then is `EarlySocket`'s business, tested on its own).
 */
import { type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { followExecution } from '../../src/client/follow.js';
import { resolveOptions } from '../../src/client/options.js';
import type { ExecEvent } from '../../src/events.js';
import type { Preconnect } from '../../src/observables/preconnect.js';
import type { ProbeResult } from '../../src/protocol/probeResult.js';
import type { EarlySocket } from '../../src/transport/earlySocket.js';
import { errors, exitFrame, gone, reconnecting, running, stdout, unavailable } from '../../marbles/values.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const values = { a: stdout('a'), R: stdout('ab'), b: stdout('b'), x: exitFrame(0), n: reconnecting(1, 'cut', 0) };
const answers = { r: running, u: unavailable, g: gone };

/** What the pipeline did with the sockets opened ahead, in virtual ms. */
interface Log {
  readonly opened: number[];
  readonly taken: number[];
  readonly disposed: number[];
}

/**
 * Follows one execution whose sockets are `lanes` (a socket opened ahead is the next lane too),
 * whose probes are `probes`, with preconnect wired to a fake that logs. An attach given an early
 * socket plays the lane that socket stands for.
 */
function follow(scheduler: TestScheduler, lanes: Observable<ExecEvent>[], probes: Observable<ProbeResult>[], healthyAfter = 1_000) {
  const log: Log = { opened: [], taken: [], disposed: [] };
  const options = resolveOptions({ baseUrl: 'http://runner.test', reconnect: { initialDelay: 5, maxDelay: 10, budget: 100, healthyAfter } });
  let nextLane = 0;
  let nextProbe = 0;
  const early = new Map<object, Observable<ExecEvent>>();
  const preconnect = (): Preconnect => {
    log.opened.push(scheduler.now());
    const socket = {};
    early.set(socket, lanes[nextLane++] as Observable<ExecEvent>);
    return {
      take: () => {
        log.taken.push(scheduler.now());
        return socket as EarlySocket;
      },
      dispose: () => log.disposed.push(scheduler.now()),
    };
  };
  const result$ = followExecution(
    {
      options,
      attach: (_outbox, socket) => (socket ? (early.get(socket) as Observable<ExecEvent>) : (lanes[nextLane++] as Observable<ExecEvent>)),
      probe: () => probes[nextProbe++] as Observable<ProbeResult>,
      preconnect,
    },
    'exec-1',
    {},
  );
  return { result$, log };
}

describe('followExecution with preconnect', () => {
  it('a cut after output: the next socket opens with the probe and is the reconnect', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { result$, log } = follow(scheduler, [cold<ExecEvent>('-a-#', values, errors.cut()), cold<ExecEvent>('-R-x|', values)], [cold<ProbeResult>('--r|', answers)]);
      expectObservable(result$).toBe('-a---nb-(x|)', values);
      flush();
      expect(log).toEqual({ opened: [3], taken: [5], disposed: [] });
    });
  });

  it('a cut with no progress (nothing delivered, open for less than healthyAfter): no socket opens ahead', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { result$, log } = follow(scheduler, [cold<ExecEvent>('--#', values, errors.cut()), cold<ExecEvent>('-b-x|', values)], [cold<ProbeResult>('--r|', answers)]);
      expectObservable(result$).toBe('----nb-(x|)', values);
      flush();
      expect(log).toEqual({ opened: [], taken: [], disposed: [] });
    });
  });

  it('the probe is unavailable: the socket opened ahead is closed at the answer, and the reconnect after the delay opens its own', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const ahead = cold<ExecEvent>('-R-x|', values);
      const { result$, log } = follow(scheduler, [cold<ExecEvent>('-a-#', values, errors.cut()), ahead, cold<ExecEvent>('-R-x|', values)], [cold<ProbeResult>('--u|', answers)]);
      const waiting = reconnecting(1, 'unavailable', 5);
      expectObservable(result$).toBe('-a---w-----b-(x|)', { ...values, w: waiting });
      flush();
      expect(log).toEqual({ opened: [3], taken: [], disposed: [5] });
      expect(ahead.subscriptions).toEqual([]);
    });
  });

  it('the probe says gone: ExecutionGoneError, and the socket opened ahead is closed', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { result$, log } = follow(scheduler, [cold<ExecEvent>('-a-#', values, errors.cut()), cold<ExecEvent>('-b-x|', values)], [cold<ProbeResult>('--g|', answers)]);
      expectObservable(result$).toBe('-a---#', values, errors.gone());
      flush();
      expect(log).toEqual({ opened: [3], taken: [], disposed: [5] });
    });
  });

  it('unsubscribing while the probe is in flight closes the socket opened ahead', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const { result$, log } = follow(scheduler, [cold<ExecEvent>('-a-#', values, errors.cut()), cold<ExecEvent>('-b-x|', values)], [cold<ProbeResult>('-----r|', answers)]);
      expectObservable(result$, '^---!').toBe('-a--', values);
      flush();
      expect(log).toEqual({ opened: [3], taken: [], disposed: [4] });
    });
  });
});
