/**
 * Runs one scenario of the virtual-time property through the real recovery pipeline
 * (`followExecution`) against the model runner, and checks every invariant of the outcome: the
 * general ones (`checkOutcome`), or, for the reconnect families, the reconnect oracle's exact
 * prediction (`checkReconnectRun`).
 */
import type { Subscription } from 'rxjs';
import { expect } from 'vitest';
import { followExecution } from '../../src/client/follow.js';
import { resolveOptions } from '../../src/client/options.js';
import {
  isAttachDisconnectedError,
  isAttachRejectedError,
  isExecutionGoneError,
  isReconnectBudgetExceededError,
  isReconnectRequiredError,
  isTokenProviderError,
  type ReconnectBudgetExceededError,
} from '../../src/errors.js';
import type { ExecEvent, NoticeEvent, ReconnectReason } from '../../src/events.js';
import type { OutputStream } from '../../src/protocol/types.js';
import { createTestScheduler } from '../support/marbleHarness.js';
import type { Scenario } from './arbitraries.js';
import { ModelRunner } from './model.js';
import { announces, deliveredBytes, explains, piecesOf, type TimelineEntry } from './oracle.js';
import { backoff, expectReconnects, type ClientTimings } from './reconnectOracle.js';

/** Every run must be over by then (virtual ms); the subscriber unsubscribes there otherwise. */
export const BOUND = 5_000;
const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];

/** The client timings of a scenario that names none: a socket open 6 ms made progress. */
export const DEFAULT_TIMINGS: ClientTimings = {
  reconnect: { initialDelay: 3, maxDelay: 8, budget: 2_000, healthyAfter: 6 },
  conflictBackoff: { initialDelay: 1, maxDelay: 4 },
};

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

/**
 * Runs one scenario on a fresh `TestScheduler`, with small client timings (the scenario's, or
 * `DEFAULT_TIMINGS`). The model is handed the pipeline's outbox, as the real attach is.
 */
export function runScenario({ spec, subscribeAt, timings = DEFAULT_TIMINGS, clientShape = 'server' }: Scenario): Outcome {
  const scheduler = createTestScheduler();
  const model = new ModelRunner(scheduler, spec);
  const timeline: TimelineEntry[] = [];
  const errors: unknown[] = [];
  let completions = 0;
  let endedAt: number | undefined;
  model.onUpgrade = (from) => timeline.push({ type: 'upgrade', from });
  const options = resolveOptions({
    baseUrl: 'http://runner.test',
    ringBytes: spec.ringBytes,
    replayShape: clientShape === 'auto' ? 'auto' : spec.replay === 'chunked' ? 'chunks' : 'ring',
    drainTimeout: 100,
    reconnect: timings.reconnect,
    conflictBackoff: timings.conflictBackoff,
  });
  scheduler.run(() => {
    let subscription: Subscription | undefined;
    model.start();
    scheduler.schedule(() => {
      const follow$ = followExecution({ options, attach: (outbox) => model.attach(outbox), probe: () => model.probe() }, 'exec-1', {});
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
  /** Streams (chunk shape) whose backlog never dropped a byte: where a false alarm can happen. */
  chunkStreamsKept: number;
  /** Streams (ring shape) whose ring never filled, and how many of them carried a notice (only with 'auto'). */
  ringStreamsKept: number;
  ringFalseAlarms: number;
  /** Of those, streams with a loss or overlap notice all the same. */
  falseAlarms: number;
  /** `reconnecting` notices, by reason. */
  reconnects: Record<ReconnectReason, number>;
  /** `reconnected` notices. */
  reconnected: number;
  /** `reconnecting` notices that start a new run of failures after an earlier one (progress in between). */
  runRestarts: number;
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
  chunkStreamsKept: 0,
  ringStreamsKept: 0,
  ringFalseAlarms: 0,
  falseAlarms: 0,
  reconnects: { cut: 0, conflict: 0, refused: 0, token: 0, unavailable: 0 },
  reconnected: 0,
  runRestarts: 0,
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
 *   (a false alarm, counted; each property bounds their rate) as long as the notice explains the bytes.
 * - Every attach and probe subscription was unsubscribed, every socket taken back from the outbox.
 * - The `reconnecting` and `reconnected` notices keep the policy's table (`checkReconnectNotices`).
 *
 * One scope, counted in the tally: a stream whose ring wrapped before any byte of it was delivered
 * starts where the replay that first delivered it started. No offset in the protocol shows that
 * loss (docs/protocol.md §4).
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
      // With the shape left to 'auto', a first attach before any proof is planned as chunks: its
      // burst may be announced (counted as a false alarm); a configured 'ring' never is.
      if (scenario.clientShape !== 'auto') expect(announced, `${stream}: a loss or overlap notice though the ring never filled`).toBe(false);
      tally.ringStreamsKept += 1;
      if (announced) tally.ringFalseAlarms += 1;
    }
    if (!ring.filled && scenario.spec.replay === 'chunked') tally.chunkStreamsKept += 1;
    if (!ring.filled && announced) tally.falseAlarms += 1;
    if (!ring.filled && !announced && complete) expect(deliveredBytes(pieces), `${stream}: exact`).toEqual(produced);
    expect(explains(produced, pieces, { complete, start }), `${stream}: delivered bytes explained by the produced ones`).toBe(true);
    if (start > 0) tally.lostBeforeFirstDelivery += 1;
  }

  checkNothingOpen(outcome);
  const reconnects = checkReconnectNotices(timeline, scenario.timings ?? DEFAULT_TIMINGS);

  tally.runs += 1;
  for (const notice of reconnects.reconnecting) tally.reconnects[notice.reason as ReconnectReason] += 1;
  tally.reconnected += reconnects.reconnected;
  tally.runRestarts += reconnects.reconnecting.filter((notice, index) => index > 0 && notice.attempt === 1).length;
  if (STREAMS.some((stream) => model.rings[stream].wrapped)) tally.wrapped += 1;
  else if (complete && STREAMS.every((stream) => !model.rings[stream].filled)) tally.exact += 1;
  if (complete) tally.frameExits += 1;
  else if (exit !== undefined) tally.probeExits += 1;
  else tally.gone += 1;
  if (notices.some((notice) => notice.kind === 'output-lost' || notice.kind === 'replay-overlap-unknown')) tally.lossNotices += 1;
}

/**
 * Every attach, probe and socket the pipeline opened was closed, and every socket the outbox was
 * handed is an upgrade of the timeline.
 */
export function checkNothingOpen({ model, timeline }: Outcome): void {
  expect(model.attachLog.opened).toBeGreaterThan(0);
  expect(model.attachLog.closed, 'attach subscriptions closed').toBe(model.attachLog.opened);
  expect(model.probeLog.closed, 'probe subscriptions closed').toBe(model.probeLog.opened);
  expect(model.socketLog.opened, 'one socket per upgrade').toBe(timeline.filter((entry) => entry.type === 'upgrade').length);
  expect(model.socketLog.closed, 'sockets taken back from the outbox').toBe(model.socketLog.opened);
}

/** The `reconnecting` and `reconnected` notices of a timeline. */
export interface ReconnectNotices {
  readonly reconnecting: readonly NoticeEvent[];
  readonly reconnected: number;
}

const REASONS: readonly ReconnectReason[] = ['cut', 'conflict', 'refused', 'token', 'unavailable'];

/**
 * The reconnect notices keep the policy's table (reconnectWithBackoff), whatever the failures were:
 *
 * - `reconnecting`: `attempt` is 1 (a new run of failures) or the previous one + 1; `delay` is 0
 *   for a `cut` that starts a run, `initialDelay` doubling to `maxDelay` for the run's n-th
 *   `unavailable`, the refused backoff doubling for the run's n-th other failure (a refusal, a
 *   token failure, or a cut that is not the first of its run).
 * - `reconnected`: right after the upgrade of the first socket opened after a `reconnecting`
 *   (a drain's socket too), naming that attempt; never anywhere else.
 *
 * Neither is a loss notice: they name no stream (checked here), and `piecesOf` takes only
 * `output-lost` and `replay-overlap-unknown` notices of a stream, so the byte oracle is blind to them.
 */
export function checkReconnectNotices(timeline: readonly TimelineEntry[], timings: ClientTimings): ReconnectNotices {
  const reconnecting: NoticeEvent[] = [];
  // Problems are collected and asserted once: an `expect` per entry would dominate the run time.
  const problems: string[] = [];
  let reconnected = 0;
  let pending = false;
  let attempt = 0;
  let unavailable = 0;
  let refusals = 0;
  const { reconnect, conflictBackoff } = timings;
  timeline.forEach((entry, index) => {
    const next = timeline[index + 1];
    const nextReconnected = next?.type === 'notice' && next.kind === 'reconnected';
    if (entry.type === 'upgrade') {
      if (nextReconnected !== pending) problems.push(`upgrade ${index}: reconnected ${nextReconnected}, a reconnect pending ${pending}`);
      pending = false;
      return;
    }
    if (entry.type !== 'notice' || (entry.kind !== 'reconnected' && entry.kind !== 'reconnecting')) return;
    if (entry.stream !== undefined) problems.push(`${entry.kind} ${index}: names stream ${entry.stream}`);
    if (entry.kind === 'reconnected') {
      if (timeline[index - 1]?.type !== 'upgrade') problems.push(`reconnected ${index}: not right after an upgrade`);
      if (entry.attempt !== attempt) problems.push(`reconnected ${index}: attempt ${entry.attempt}, the last reconnecting's is ${attempt}`);
      reconnected += 1;
      return;
    }
    reconnecting.push(entry);
    if (!REASONS.includes(entry.reason as ReconnectReason)) problems.push(`reconnecting ${index}: reason ${entry.reason}`);
    if (entry.attempt !== 1 && entry.attempt !== attempt + 1) problems.push(`reconnecting ${index}: attempt ${entry.attempt} after ${attempt}`);
    attempt = entry.attempt ?? Number.NaN;
    if (attempt === 1) {
      unavailable = 0;
      refusals = 0;
    }
    let delay = 0;
    if (entry.reason === 'unavailable') {
      unavailable += 1;
      delay = backoff(reconnect.initialDelay, reconnect.maxDelay, unavailable);
    } else if (entry.reason !== 'cut' || attempt > 1) {
      refusals += 1;
      delay = backoff(conflictBackoff.initialDelay, conflictBackoff.maxDelay, refusals);
    }
    if (entry.delay !== delay) problems.push(`reconnecting ${index} (attempt ${attempt}, ${entry.reason}): delay ${entry.delay}, the table says ${delay}`);
    pending = true;
  });
  expect(problems, 'reconnect notices as the policy table says').toEqual([]);
  return { reconnecting, reconnected };
}

/** What the reconnect families covered, so their property cannot pass vacuously. */
export interface ReconnectTally {
  runs: number;
  frameExits: number;
  budgetErrors: number;
  /** Reconnects after a socket that stayed open `healthyAfter` ms (they start a new run). */
  afterHealthySockets: number;
  /** Reconnects after a short socket that delivered new output (progress all the same). */
  afterOutput: number;
  /** Failures of the token provider, thrown at once or later. */
  tokenFailures: number;
  syncTokenFailures: number;
  /** Refused connects (409, 502) and unavailable probes. */
  refusals: number;
  unavailable: number;
  /** Runs that reached the exit frame though their failures spread over more than the budget. */
  outlivedBudget: number;
  /** Budget errors that ended a run of token failures. */
  budgetOnToken: number;
  /** The most reconnects one run survived to its exit frame. */
  mostReconnects: number;
}

export const emptyReconnectTally = (): ReconnectTally => ({
  runs: 0,
  frameExits: 0,
  budgetErrors: 0,
  afterHealthySockets: 0,
  afterOutput: 0,
  tokenFailures: 0,
  syncTokenFailures: 0,
  refusals: 0,
  unavailable: 0,
  outlivedBudget: 0,
  budgetOnToken: 0,
  mostReconnects: 0,
});

/** The writes of `stream` before `before` (virtual ms), joined. */
function writtenBefore(scenario: Scenario, stream: OutputStream, before: number): Uint8Array {
  const writes = scenario.spec.process.writes.filter((write) => write.stream === stream && write.at < before);
  return Uint8Array.from(writes.flatMap((write) => [...write.data]));
}

/** The attach failure a reason names. */
function isFailureOf(reason: ReconnectReason, error: unknown): boolean {
  if (reason === 'cut') return isAttachDisconnectedError(error);
  if (reason === 'token') return isTokenProviderError(error);
  if (reason === 'conflict') return isAttachRejectedError(error) && error.status === 409;
  if (reason === 'refused') return isAttachRejectedError(error) && error.status === 502;
  return true;
}

/**
 * Checks a run of a reconnect family against the reconnect oracle (reconnectOracle.ts), exactly:
 *
 * - It ends as the plan says: the exit frame (right exit code, then completion), or, only when a
 *   run of failures without progress would outlast the budget, one `ReconnectBudgetExceededError`
 *   at the very ms the oracle names, counting that run's failures, caused by the
 *   `ReconnectRequiredError` of the last failure (probe and attach failure as planned).
 * - Its `reconnecting` notices are the oracle's failures, one by one: attempt, reason, delay.
 * - It attached as often as the oracle says (no more, no fewer sockets or connects).
 * - Bytes, per stream: exactly the writes before the last socket's cut (all of them with the exit
 *   frame), without any loss or overlap notice.
 * - Every invariant of `checkReconnectNotices` and `checkNothingOpen`.
 *
 * `oracle.strict`: time sockets to their close even where the library times them to the probe's
 * answer (see reconnectOracle.ts).
 */
export function checkReconnectRun(scenario: Scenario, outcome: Outcome, tally: ReconnectTally, oracle: { readonly strict?: boolean } = {}): void {
  const { spec, subscribeAt } = scenario;
  const timings = scenario.timings ?? DEFAULT_TIMINGS;
  const expected = expectReconnects(spec, subscribeAt, timings, oracle);
  const { model, timeline, errors, completions, endedAt } = outcome;
  const events = timeline.filter((entry): entry is ExecEvent => entry.type !== 'upgrade');
  const exits = events.filter((event) => event.type === 'exit');

  expect(endedAt, 'the run ended').toBeDefined();
  expect(endedAt).toBeLessThan(BOUND);
  const { end } = expected;
  if (end.kind === 'budget') {
    expect(exits, 'no exit after giving up').toEqual([]);
    expect(completions).toBe(0);
    expect(errors).toHaveLength(1);
    const error = errors[0];
    expect(isReconnectBudgetExceededError(error), `expected ReconnectBudgetExceededError, got ${String(error)}`).toBe(true);
    expect((error as ReconnectBudgetExceededError).attempts, 'attempts: the failures of the run').toBe(end.attempts);
    expect(endedAt, 'given up at the failure that would outlast the budget').toBe(end.at);
    const cause = (error as ReconnectBudgetExceededError).cause;
    expect(isReconnectRequiredError(cause), 'caused by the last ReconnectRequiredError').toBe(true);
    if (isReconnectRequiredError(cause)) {
      expect(cause.probe.state).toBe(end.reason === 'unavailable' ? 'unavailable' : 'running');
      expect(isFailureOf(end.reason, cause.cause), `the last failure is a ${end.reason}: ${String(cause.cause)}`).toBe(true);
    }
  } else {
    expect(errors, `no error: ${String(errors[0])}`).toEqual([]);
    expect(completions).toBe(1);
    expect(exits).toHaveLength(1);
    expect(events.at(-1)).toEqual({ type: 'exit', exitCode: spec.process.exitCode, source: 'frame' });
  }

  const notices = checkReconnectNotices(timeline, timings);
  const announced = expected.failures.filter((failure) => !Number.isNaN(failure.delay));
  expect(
    notices.reconnecting.map(({ attempt, reason, delay }) => ({ attempt, reason, delay })),
    'reconnecting notices: one per failure, as the policy says',
  ).toEqual(announced.map(({ attempt, reason, delay }) => ({ attempt, reason, delay })));
  expect(model.attachLog.opened, 'attaches').toBe(expected.attaches);
  checkNothingOpen(outcome);

  for (const stream of STREAMS) {
    const pieces = piecesOf(timeline, stream);
    expect(announces(pieces), `${stream}: no loss or overlap notice`).toBe(false);
    expect(deliveredBytes(pieces), `${stream}: exactly the bytes written before the last cut`).toEqual(
      writtenBefore(scenario, stream, expected.deliveredBefore),
    );
  }

  tally.runs += 1;
  if (end.kind === 'budget') {
    tally.budgetErrors += 1;
    if (end.reason === 'token') tally.budgetOnToken += 1;
  } else {
    tally.frameExits += 1;
    if (expected.span > timings.reconnect.budget) tally.outlivedBudget += 1;
    tally.mostReconnects = Math.max(tally.mostReconnects, announced.length);
  }
  for (const failure of announced) {
    if (failure.progress === 'socket') tally.afterHealthySockets += 1;
    if (failure.progress === 'output') tally.afterOutput += 1;
  }
  for (const failure of expected.failures) {
    if (failure.reason === 'token') tally.tokenFailures += 1;
    if (failure.syncToken && failure.reason === 'token') tally.syncTokenFailures += 1;
    if (failure.reason === 'conflict' || failure.reason === 'refused') tally.refusals += 1;
    if (failure.reason === 'unavailable') tally.unavailable += 1;
  }
}
