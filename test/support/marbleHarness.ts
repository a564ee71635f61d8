import { defer, filter, finalize, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { followExecution } from '../../src/client/follow.js';
import { followMainSession } from '../../src/client/followMainSession.js';
import { mainSessionSocket, type FollowTarget, type OpenedHook } from '../../src/client/followTarget.js';
import { resolveOptions } from '../../src/client/options.js';
import type { ExecEvent } from '../../src/events.js';
import type { ProbeResult } from '../../src/protocol/probeResult.js';
import { Outbox } from '../../src/transport/outbox.js';
import type { SocketHandle, UpgradeHeaders } from '../../src/transport/webSocket.js';
import type { MarbleScenario } from '../../marbles/index.js';
import { errors, socketOpens } from '../../marbles/values.js';

/** Errors compare by name, message and their typed fields; stacks and causes are not the claim. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Error) {
    const { name, message } = value;
    const typed = value as unknown as Record<string, unknown>;
    return { name, message, status: typed['status'], closeCode: typed['closeCode'], attempts: typed['attempts'] };
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, normalize(inner)]));
  }
  return value;
}

/** How a `TestScheduler` compares frames. */
export type FrameComparison =
  /** Errors by name, message and typed fields (`normalize`): for scenarios whose expected errors are built apart from the actual ones. */
  | 'error fields'
  /** Everything with vitest's `toEqual` as it stands (an error's name, message and cause too). */
  | 'exact';

/**
 * A fresh `TestScheduler`, the one way the tests build one. A scheduler used only as a virtual
 * clock (no `expectObservable`) never compares anything: take the default.
 */
export function createTestScheduler(comparison: FrameComparison = 'error fields'): TestScheduler {
  const compared = comparison === 'exact' ? (value: unknown) => value : normalize;
  return new TestScheduler((actual, expected) => {
    expect(compared(actual)).toEqual(compared(expected));
  });
}

/** What a fake socket shows at its open and records of what it is sent. */
interface FakeOpen {
  /** The attach's hook at the open (the main session's first socket). */
  readonly hook?: OpenedHook | undefined;
  /** The 101's headers the hook is given (`undefined`: the socket hides them). */
  readonly headers?: UpgradeHeaders | undefined;
  /** Everything sent on the socket. */
  readonly sent?: (string | Uint8Array)[];
}

/**
 * A socket lane as the attach the pipeline subscribes to: each `socketOpens` in it becomes
 * `outbox.connect` of a socket of its own (so `outbox.opens` emits) instead of an event, and the
 * socket is disconnected when the lane's subscription ends, as `attach` does.
 */
function opening(lane: Observable<ExecEvent>, outbox: Outbox, socket: FakeOpen = {}): Observable<ExecEvent> {
  return defer(() => {
    const handle: SocketHandle = { isOpen: () => true, send: (data) => socket.sent?.push(data), dispose: () => undefined };
    return lane.pipe(
      filter((event) => {
        if (event !== socketOpens) return true;
        // As `attach` does: the 101's hook first, then the outbox.
        socket.hook?.(socket.headers);
        outbox.connect(handle);
        return false;
      }),
      finalize(() => outbox.disconnect(handle)),
    );
  });
}

/** Runs one scenario through the real recovery pipeline on a fresh TestScheduler. */
export function runScenario(scenario: MarbleScenario): void {
  const scheduler = createTestScheduler();
  const sent: (string | Uint8Array)[] = [];
  scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
    const { timing = {} } = scenario;
    const options = resolveOptions({
      baseUrl: 'http://runner.test',
      drainTimeout: timing.drainTimeout ?? 20,
      ...(timing.drainSettle === undefined ? {} : { drainSettle: timing.drainSettle }),
      ringBytes: timing.ringBytes ?? 262_144,
      replayShape: timing.replayShape ?? 'auto',
      reconnect: {
        initialDelay: timing.reconnectDelay ?? 5,
        maxDelay: (timing.reconnectDelay ?? 5) * 2,
        budget: timing.reconnectBudget ?? 100,
        ...(timing.healthyAfter === undefined ? {} : { healthyAfter: timing.healthyAfter }),
      },
      conflictBackoff: { initialDelay: timing.conflictDelay ?? 2, maxDelay: (timing.conflictDelay ?? 2) * 2 },
    });
    const sockets = scenario.sockets.map((lane) =>
      cold<ExecEvent>(lane.marble, scenario.values as Record<string, ExecEvent>, lane.error ? errors[lane.error]() : undefined),
    );
    const probes = scenario.probes.map((lane) => cold<ProbeResult>(lane.marble, scenario.values as Record<string, ProbeResult>));
    const sequence = <T>(lanes: Observable<T>[], what: string): (() => Observable<T>) => {
      let next = 0;
      return () =>
        defer(() => {
          const lane = lanes[next];
          next += 1;
          if (lane === undefined) throw new Error(`scenario ${scenario.title}: no ${what} lane #${next}`);
          return lane;
        });
    };
    const nextSocket = sequence(sockets, 'socket');
    const probe = sequence(probes, 'probe');
    // A gated exec hands followExecution its outbox, the gate line set (see `exec`); an observer, an empty one.
    const input = timing.startGate ? Object.assign(new Outbox({}).start(), { gate: 'g1\n' }) : new Outbox({});
    const headers = timing.session === 'main' ? { 'x-boxlite-execution-id': 'exec-1' } : undefined;
    // The box's main session as `followMain` builds it: the id from the first socket's 101.
    const follow = (target: FollowTarget): Observable<ExecEvent> =>
      followExecution(
        { options, attach: (outbox) => mainSessionSocket(target, (hook) => opening(nextSocket(), outbox, { hook, headers, sent })), probe },
        () => target.id,
        input,
      );
    const result$ = timing.session === 'main' || timing.session === 'main-headers-hidden'
      ? followMainSession(follow)
      : followExecution({ options, attach: (outbox) => opening(nextSocket(), outbox, { sent }), probe }, 'exec-1', input);
    const error = scenario.expectedError ? errors[scenario.expectedError]() : undefined;
    expectObservable(result$, scenario.unsubscribe).toBe(scenario.expected, scenario.values, error);
    scenario.sockets.forEach((lane, index) => {
      const socket = sockets[index];
      if (socket) expectSubscriptions(socket.subscriptions).toBe(lane.subscription);
    });
    scenario.probes.forEach((lane, index) => {
      const probeLane = probes[index];
      if (probeLane) expectSubscriptions(probeLane.subscriptions).toBe(lane.subscription);
    });
  });
  // An observer (and a main session without input) sends nothing on any socket.
  if (scenario.timing?.session !== undefined) expect(sent).toEqual([]);
}
