/**
 * Runs one scenario of the virtual-time property through the real recovery pipeline
 * (`followExecution`) against the model runner, and checks every invariant of the outcome.
 */
import type { Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { followExecution } from '../../src/client/follow.js';
import { resolveOptions } from '../../src/client/options.js';
import { isExecutionGoneError } from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';
import type { OutputStream } from '../../src/protocol/types.js';
import type { Scenario } from './arbitraries.js';
import { ModelRunner } from './model.js';
import { announces, deliveredBytes, explains, piecesOf, type TimelineEntry } from './oracle.js';

/** Every run must be over by then (virtual ms); the subscriber unsubscribes there otherwise. */
export const BOUND = 5_000;
const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];

/** What one run did. */
export interface Outcome {
  readonly model: ModelRunner;
  /** The subscriber's events, with the model's upgrades in between. */
  readonly timeline: readonly TimelineEntry[];
  readonly errors: readonly unknown[];
  readonly completions: number;
  /** Virtual time of the error or completion, if any came. */
  readonly endedAt: number | undefined;
}

/** Runs one scenario on a fresh `TestScheduler`, with small client timings. */
export function runScenario({ spec, subscribeAt }: Scenario): Outcome {
  const scheduler = new TestScheduler(() => undefined);
  const model = new ModelRunner(scheduler, spec);
  const timeline: TimelineEntry[] = [];
  const errors: unknown[] = [];
  let completions = 0;
  let endedAt: number | undefined;
  model.onUpgrade = (from) => timeline.push({ type: 'upgrade', from });
  const options = resolveOptions({
    baseUrl: 'http://runner.test',
    ringBytes: spec.ringBytes,
    replayShape: spec.replay === 'chunked' ? 'chunks' : 'ring',
    drainTimeout: 100,
    reconnect: { initialDelay: 3, maxDelay: 8, budget: 2_000 },
    conflictBackoff: { initialDelay: 1, maxDelay: 4 },
  });
  scheduler.run(() => {
    let subscription: Subscription | undefined;
    model.start();
    scheduler.schedule(() => {
      const follow$ = followExecution({ options, attach: () => model.attach(), probe: () => model.probe() }, 'exec-1', {});
      subscription = follow$.subscribe({
        next: (event) => timeline.push(event),
        error: (error: unknown) => {
          errors.push(error);
          endedAt = scheduler.now();
        },
        complete: () => {
          completions += 1;
          endedAt = scheduler.now();
        },
      });
    }, subscribeAt);
    scheduler.schedule(() => subscription?.unsubscribe(), BOUND);
  });
  return { model, timeline, errors, completions, endedAt };
}

/** What the runs covered, so a property cannot pass vacuously. */
export interface Tally {
  runs: number;
  /** Runs where no ring filled and the exit frame came: bytes compared exactly. */
  exact: number;
  wrapped: number;
  frameExits: number;
  probeExits: number;
  gone: number;
  lossNotices: number;
  /** Streams whose ring wrapped before any byte of them was delivered (scope 1 of `checkOutcome`). */
  lostBeforeFirstDelivery: number;
  /** Streams (chunk shape) with a loss or overlap notice though their backlog never dropped a byte. */
  falseAlarms: number;
}

export const emptyTally = (): Tally => ({
  runs: 0,
  exact: 0,
  wrapped: 0,
  frameExits: 0,
  probeExits: 0,
  gone: 0,
  lossNotices: 0,
  lostBeforeFirstDelivery: 0,
  falseAlarms: 0,
});

/** Where the first delivered byte of `stream` was produced: the replay start of the attach that brought it. */
function firstDeliveredFrom(timeline: readonly TimelineEntry[], stream: OutputStream): number {
  let from = 0;
  for (const entry of timeline) {
    if (entry.type === 'upgrade') from = entry.from[stream];
    if (entry.type === stream) return from;
  }
  return 0;
}

/**
 * Checks one outcome (throws through `expect` on the first broken invariant) and counts it.
 *
 * - One terminal outcome within `BOUND`: the exit event, last, then completion; or, only when a
 *   probe answered `gone`, one `ExecutionGoneError`.
 * - The exit code is the process's; an exit from the probe follows a `drain-incomplete` notice.
 * - Bytes, per stream: `explains` them from the produced bytes and the stream's notices; with the
 *   exit frame and no notice, they are exactly the produced bytes. On the Go runner's ring, a ring
 *   that never filled gives no loss or overlap notice (a ring exactly full cannot be told from a
 *   wrapped one) and, with the exit frame, exactly the produced bytes: its length proves it. On
 *   `boxlite serve`'s chunk backlog nothing but content proves it, so a notice there is allowed
 *   (a false alarm, counted) as long as the notice explains the bytes.
 * - Every attach and probe subscription was unsubscribed.
 *
 * One scope, counted in the tally: a stream whose ring wrapped before any byte of it was delivered
 * starts where the replay that first delivered it started. No offset in the protocol shows that
 * loss (PROTOCOL §4).
 */
export function checkOutcome(scenario: Scenario, outcome: Outcome, tally: Tally): void {
  const { model, timeline, errors, completions, endedAt } = outcome;
  const events = timeline.filter((entry): entry is ExecEvent => entry.type !== 'upgrade');
  const exits = events.filter((event) => event.type === 'exit');
  const notices = events.filter((event) => event.type === 'notice');

  expect(endedAt, 'the run ended').toBeDefined();
  expect(endedAt).toBeLessThan(BOUND);
  expect(exits.length + errors.length, 'one exit or one error, never both').toBe(1);
  if (model.answeredGone) {
    expect(isExecutionGoneError(errors[0]), `expected ExecutionGoneError, got ${String(errors[0])}`).toBe(true);
  } else {
    expect(errors, 'no error without a gone probe').toEqual([]);
    expect(completions).toBe(1);
    expect(events.at(-1)?.type).toBe('exit');
  }

  const exit = exits[0];
  if (exit?.type === 'exit') {
    expect(exit.exitCode).toBe(scenario.spec.process.exitCode);
    if (exit.source === 'probe') expect(notices.some((notice) => notice.kind === 'drain-incomplete')).toBe(true);
  }

  const complete = exit?.type === 'exit' && exit.source === 'frame';
  for (const stream of STREAMS) {
    const produced = model.output(stream);
    const ring = model.rings[stream];
    const pieces = piecesOf(timeline, stream);
    const start = firstDeliveredFrom(timeline, stream);
    if (!ring.wrapped) expect(start).toBe(0);
    const announced = announces(pieces);
    if (!ring.filled && scenario.spec.replay === 'single') {
      expect(announced, `${stream}: a loss or overlap notice though the ring never filled`).toBe(false);
    }
    if (!ring.filled && announced) tally.falseAlarms += 1;
    if (!ring.filled && !announced && complete) expect(deliveredBytes(pieces), `${stream}: exact`).toEqual(produced);
    expect(explains(produced, pieces, { complete, start }), `${stream}: delivered bytes explained by the produced ones`).toBe(true);
    if (start > 0) tally.lostBeforeFirstDelivery += 1;
  }

  expect(model.attachLog.opened).toBeGreaterThan(0);
  expect(model.attachLog.closed, 'attach subscriptions closed').toBe(model.attachLog.opened);
  expect(model.probeLog.closed, 'probe subscriptions closed').toBe(model.probeLog.opened);

  tally.runs += 1;
  if (STREAMS.some((stream) => model.rings[stream].wrapped)) tally.wrapped += 1;
  else if (complete && STREAMS.every((stream) => !model.rings[stream].filled)) tally.exact += 1;
  if (complete) tally.frameExits += 1;
  else if (exit !== undefined) tally.probeExits += 1;
  else tally.gone += 1;
  if (notices.some((notice) => notice.kind === 'output-lost' || notice.kind === 'replay-overlap-unknown')) tally.lossNotices += 1;
}
