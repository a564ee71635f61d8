/**
 * The reconnect oracle of the property tests: from a scenario's plan alone, what the reconnect
 * policy (reconnectWithBackoff, as `followExecution` wires it) must do — every `reconnecting`
 * notice, how many attaches it makes, and whether it follows the process to its exit frame or
 * gives up with `ReconnectBudgetExceededError`, when, and after how many failures.
 *
 * The policy, as its documentation states it:
 * - A failure is an attempt that ended before the exit (cut, refused, token provider failed) and
 *   whose probe did not say the process ended. Its reason: `unavailable` when the probe failed,
 *   else `cut`, `conflict` (409), `refused` (502) or `token`.
 * - It made progress when it emitted anything (new output) or its socket stayed open
 *   `healthyAfter` ms. A failure that made progress, or the first failure, starts a new run.
 * - The delay: 0 for a cut that starts its run; `initialDelay` doubling to `maxDelay` for the
 *   run's n-th `unavailable`; the refused backoff (`conflictBackoff`) doubling for the run's n-th
 *   other failure.
 * - A run lasts from the probe's answer on its first failure to the start of the attempt that
 *   follows its last; a failure that would make it last longer than `budget` gives up instead.
 *
 * A socket "stayed open" from its upgrade until the client saw it close (the cut, plus the plan's
 * detection delay). The library times it to the probe's answer instead (follow.ts: `accepted`
 * reads the clock at the retry decision), so by default the oracle refuses scenarios where the
 * two disagree (a short socket whose detection and probe delays reach `healthyAfter`);
 * `{ strict: true }` applies the documented rule to them too (see the slow-probe test).
 *
 * Only scenarios built for it qualify (`reconnectScenarioProblem` names what disqualifies one), so
 * nothing is left to a race: the server's events (writes, the exit) fall on odd virtual ms, the
 * client's (plan delays, backoffs, probe answers) on even ones; sockets send at once
 * (`frameGapMs` 0); the ring never fills and replays in one frame, so a replay delivers exactly
 * the bytes written before it that were not delivered yet; attaches after the exit are healthy.
 */
import type { ReconnectReason } from '../../src/events.js';
import type { AttachPlan, ModelSpec, ProbePlan } from './model.js';

/** The client timings the harness passes to `resolveOptions`. */
export interface ClientTimings {
  readonly reconnect: { readonly initialDelay: number; readonly maxDelay: number; readonly budget: number; readonly healthyAfter: number };
  readonly conflictBackoff: { readonly initialDelay: number; readonly maxDelay: number };
}

/** The n-th delay (n from 1) of a backoff: `initial` doubling up to `max`. */
export const backoff = (initial: number, max: number, n: number): number => Math.min(initial * 2 ** (n - 1), max);

/** One failure the policy must see, and why it did or did not make progress. */
export interface ExpectedFailure {
  readonly reason: ReconnectReason;
  /** Virtual ms of the probe's answer: the policy's decision. */
  readonly at: number;
  /** `socket`: open `healthyAfter` ms or more; `output`: shorter, but it delivered new bytes. */
  readonly progress: 'socket' | 'output' | 'none';
  /** Which attempt of its run it is (1, 2, …). */
  readonly attempt: number;
  /** The delay before the next attempt (the budget error has none). */
  readonly delay: number;
  /** Whether it was a token provider that threw at once (rather than failed later). */
  readonly syncToken: boolean;
}

/** What the pipeline must do on a scenario. */
export interface ExpectedReconnects {
  readonly end:
    | { readonly kind: 'exit' }
    | { readonly kind: 'budget'; readonly at: number; readonly attempts: number; readonly reason: ReconnectReason };
  /** Every failure, in order; each but a budget-ending one is announced by a `reconnecting` notice. */
  readonly failures: readonly ExpectedFailure[];
  /** Attach subscriptions, the drain's included. */
  readonly attaches: number;
  /** Every write before this virtual ms is delivered, none after (the exit frame: all). */
  readonly deliveredBefore: number;
  /** The longest run of failures, in virtual ms from its first decision to its last attempt's start (or the give-up). */
  readonly longestRun: number;
  /** From the first failure's decision to the end of the run (the exit or the give-up). */
  readonly span: number;
}

const TRUTH: ProbePlan = { delayMs: 1, answer: 'truth' };
const odd = (ms: number): boolean => ms % 2 === 1;
const even = (ms: number): boolean => ms % 2 === 0;

/** Why `spec` does not qualify for the oracle (see the file comment), or `undefined`. */
export function reconnectScenarioProblem(spec: ModelSpec, subscribeAt: number, timings: ClientTimings): string | undefined {
  const { process, attaches, probes } = spec;
  const { reconnect, conflictBackoff } = timings;
  if (spec.replay !== 'single') return 'the replay must be one frame';
  if (spec.healthyAfterExit !== true) return 'attaches after the exit must be healthy';
  for (const stream of ['stdout', 'stderr'] as const) {
    const bytes = process.writes.filter((write) => write.stream === stream).reduce((sum, write) => sum + write.data.length, 0);
    if (bytes >= spec.ringBytes) return `${stream}: the ring must never fill`;
  }
  if (!process.writes.every((write) => odd(write.at)) || !odd(process.exitAt)) return 'server events must fall on odd ms';
  const clientTimes = [subscribeAt, reconnect.initialDelay, reconnect.maxDelay, conflictBackoff.initialDelay, conflictBackoff.maxDelay];
  if (!clientTimes.every(even)) return 'client timings must be even';
  for (const plan of attaches) {
    if (!even(plan.connectMs) || plan.frameGapMs !== 0) return 'attach plans must connect on even ms and send at once';
    if (plan.kind === 'refuse' && plan.status === 404) return 'no 404 refusals';
    if (plan.kind !== 'cut') continue;
    if (plan.point.at !== 'after' || !even(plan.point.ms) || !even(plan.detectMs)) return 'cuts must come after an even lifetime, noticed after even ms';
  }
  for (const probe of probes) {
    if (!even(probe.delayMs) || (probe.answer !== 'truth' && probe.answer !== 'unavailable')) return 'probes must answer truth or unavailable after even ms';
  }
  if (probes.length < attaches.length + 1) return 'one probe per attach plan at least';
  return undefined;
}

const reasonOf = (plan: AttachPlan): ReconnectReason => {
  if (plan.kind === 'token') return 'token';
  if (plan.kind === 'refuse') return plan.status === 409 ? 'conflict' : 'refused';
  return 'cut';
};

/** See the file comment. Throws when the scenario does not qualify. */
export function expectReconnects(
  spec: ModelSpec,
  subscribeAt: number,
  timings: ClientTimings,
  { strict = false }: { readonly strict?: boolean } = {},
): ExpectedReconnects {
  const problem = reconnectScenarioProblem(spec, subscribeAt, timings);
  if (problem !== undefined) throw new Error(`not a reconnect scenario: ${problem}`);
  const { reconnect, conflictBackoff } = timings;
  const exitAt = spec.process.exitAt;
  const writeTimes = spec.process.writes.map((write) => write.at);
  const failures: ExpectedFailure[] = [];
  let attaches = 0;
  let probes = 0;
  let start = subscribeAt;
  let deliveredBefore = 0;
  let run = { failures: 0, refusals: 0, unavailable: 0, start: 0 };
  let longestRun = 0;
  const exit = (extraAttaches = 0): ExpectedReconnects => ({
    end: { kind: 'exit' },
    failures,
    attaches: attaches + extraAttaches,
    deliveredBefore: Number.POSITIVE_INFINITY,
    longestRun,
    span: failures.length === 0 ? 0 : exitAt - (failures[0] as ExpectedFailure).at,
  });

  for (;;) {
    const plan = spec.attaches[attaches];
    attaches += 1;
    if (start > exitAt || plan === undefined || plan.kind === 'healthy') return exit();

    // When the attempt fails, whether its socket opened, for how long, and whether it delivered new bytes.
    let failedAt: number;
    /** From the upgrade until the client saw the socket close. */
    let lifetime: number | undefined;
    let emitted = false;
    if (plan.kind === 'cut') {
      const openAt = start + plan.connectMs;
      const ms = plan.point.at === 'after' ? plan.point.ms : 0;
      const cutAt = openAt + ms;
      // A socket alive at the exit (or opened after it, with a frame's time to live) brings the exit frame.
      if (ms > 0 && cutAt > exitAt) return exit();
      if (ms > 0) {
        emitted = writeTimes.some((at) => at >= deliveredBefore && at < cutAt);
        deliveredBefore = cutAt;
      }
      lifetime = ms + plan.detectMs;
      failedAt = cutAt + plan.detectMs;
    } else {
      failedAt = start + plan.connectMs;
    }

    const probe = spec.probes[probes] ?? TRUTH;
    probes += 1;
    const decidedAt = failedAt + probe.delayMs;
    // The process ended: the drain's attach (healthy, after the exit) brings the exit frame.
    if (probe.answer === 'truth' && decidedAt > exitAt) return exit(1);

    const reason: ReconnectReason = probe.answer === 'unavailable' ? 'unavailable' : reasonOf(plan);
    const { healthyAfter } = reconnect;
    if (!strict && lifetime !== undefined && lifetime < healthyAfter && lifetime + probe.delayMs >= healthyAfter) {
      throw new Error(`not a reconnect scenario: a ${lifetime} ms socket that the library would time at ${healthyAfter} ms or more`);
    }
    const progress = lifetime !== undefined && lifetime >= healthyAfter ? 'socket' : emitted ? 'output' : 'none';
    if (progress !== 'none' || run.failures === 0) run = { failures: 0, refusals: 0, unavailable: 0, start: decidedAt };
    run.failures += 1;
    let delay = 0;
    if (reason === 'unavailable') {
      run.unavailable += 1;
      delay = backoff(reconnect.initialDelay, reconnect.maxDelay, run.unavailable);
    } else if (reason !== 'cut' || run.failures > 1) {
      run.refusals += 1;
      delay = backoff(conflictBackoff.initialDelay, conflictBackoff.maxDelay, run.refusals);
    }
    const syncToken = plan.kind === 'token' && plan.connectMs === 0;
    const failure = { reason, at: decidedAt, progress, attempt: run.failures, syncToken } as const;
    if (decidedAt - run.start + delay > reconnect.budget) {
      failures.push({ ...failure, delay: Number.NaN });
      longestRun = Math.max(longestRun, decidedAt - run.start);
      return {
        end: { kind: 'budget', at: decidedAt, attempts: run.failures, reason },
        failures,
        attaches,
        deliveredBefore,
        longestRun,
        span: decidedAt - (failures[0] as ExpectedFailure).at,
      };
    }
    failures.push({ ...failure, delay });
    longestRun = Math.max(longestRun, decidedAt - run.start + delay);
    start = decidedAt + delay;
  }
}
