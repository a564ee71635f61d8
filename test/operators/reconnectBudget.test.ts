/**
 * The rule "the budget bounds only consecutive attempts without progress", as properties of
 * `reconnectWithBackoff` on virtual time: random attempts, each failing for a random reason after
 * a random time, having made progress (an event, or a socket open `healthyAfter` ms) or not.
 * Seeded: a failure prints its seed and path, which replay it.
 */
import fc from 'fast-check';
import { defer, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { AttachDisconnectedError, AttachRejectedError, ReconnectRequiredError, TokenProviderError, isReconnectBudgetExceededError } from '../../src/errors.js';
import type { ExecEvent, ReconnectReason } from '../../src/events.js';
import { AttemptLedger } from '../../src/operators/attemptLedger.js';
import { reconnectWithBackoff } from '../../src/operators/reconnectWithBackoff.js';
import { exitFrame, stdout } from '../../marbles/values.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const SEED = 20_260_421;
const RUNS = 400;

const HEALTHY_AFTER = 10;
const policy = { initialDelay: 5, maxDelay: 20, healthyAfter: HEALTHY_AFTER };
const refused = { initialDelay: 2, maxDelay: 8 };
/** The longest wait the policy has: a budget below it can end a run of one failure. */
const LONGEST_DELAY = Math.max(policy.maxDelay, refused.maxDelay);

/** How an attempt ended: `emitted` an event, its socket `stayedOpen` `healthyAfter` ms, or neither (`none`, its socket open for less, or never). */
type Progress = 'emitted' | 'stayedOpen' | 'none';

interface Attempt {
  readonly progress: Progress;
  /** Milliseconds from its start to its failure. */
  readonly lasts: number;
  /** Whether its socket opened (at its start). */
  readonly opened: boolean;
  readonly reason: ReconnectReason;
}

const reasonArb = fc.constantFrom<ReconnectReason>('cut', 'conflict', 'refused', 'token', 'unavailable');
const attemptArb = (progress: Progress): fc.Arbitrary<Attempt> => {
  switch (progress) {
    case 'emitted':
      return fc.record({ progress: fc.constant(progress), lasts: fc.integer({ min: 2, max: 40 }), opened: fc.boolean(), reason: reasonArb });
    case 'stayedOpen':
      return fc.record({ progress: fc.constant(progress), lasts: fc.integer({ min: HEALTHY_AFTER, max: 40 }), opened: fc.constant(true), reason: reasonArb });
    case 'none':
      return fc.boolean().chain((opened) =>
        fc.record({ progress: fc.constant(progress), lasts: fc.integer({ min: 1, max: opened ? HEALTHY_AFTER - 1 : 40 }), opened: fc.constant(opened), reason: reasonArb }),
      );
  }
};
const attemptsArb = (kinds: Progress[]): fc.Arbitrary<Attempt[]> => fc.array(fc.constantFrom(...kinds).chain(attemptArb), { minLength: 1, maxLength: 25 });

function failure(reason: ReconnectReason): ReconnectRequiredError {
  if (reason === 'unavailable') return new ReconnectRequiredError({ state: 'unavailable', reason: 'HTTP 503' });
  const causes: Record<Exclude<ReconnectReason, 'unavailable'>, Error> = {
    cut: new AttachDisconnectedError('cut', 1006),
    conflict: new AttachRejectedError('attach refused: HTTP 409', 409),
    refused: new AttachRejectedError('attach refused: HTTP 502', 502),
    token: new TokenProviderError('token provider threw (see cause)', 'threw'),
  };
  return new ReconnectRequiredError({ state: 'running' }, { cause: causes[reason] });
}

/** How the followed execution ends: its exit, or giving up after `attempts` failures; at which ms. */
type End = { readonly at: number; readonly exit: true } | { readonly at: number; readonly gaveUpAfter: number };

/** The table's delays, stated anew: at once for a cut that starts its run, else each backoff doubling with its own count in the run. */
function expectedEnd(attempts: Attempt[], budget: number): End {
  let now = 0;
  let run = { startedAt: 0, failures: 0, unavailable: 0, refused: 0 };
  for (const attempt of attempts) {
    now += attempt.lasts;
    if (run.failures === 0 || attempt.progress !== 'none') run = { startedAt: now, failures: 0, unavailable: 0, refused: 0 };
    run.failures += 1;
    let delay = 0;
    if (attempt.reason === 'unavailable') {
      run.unavailable += 1;
      delay = Math.min(policy.initialDelay * 2 ** (run.unavailable - 1), policy.maxDelay);
    } else if (attempt.reason !== 'cut' || run.failures > 1) {
      run.refused += 1;
      delay = Math.min(refused.initialDelay * 2 ** (run.refused - 1), refused.maxDelay);
    }
    if (now - run.startedAt + delay > budget) return { at: now, gaveUpAfter: run.failures };
    now += delay;
  }
  return { at: now, exit: true };
}

/** Runs `attempts` (then a socket that sends the exit) through the operator on virtual time. */
function actualEnd(attempts: Attempt[], budget: number): End | undefined {
  const scheduler = createTestScheduler();
  let end: End | undefined;
  scheduler.run(({ cold }) => {
    const ledger = new AttemptLedger(HEALTHY_AFTER);
    const lanes: Observable<ExecEvent>[] = attempts.map((attempt) => {
      const marble = attempt.progress === 'emitted' ? `-a${'-'.repeat(attempt.lasts - 2)}#` : `${'-'.repeat(attempt.lasts)}#`;
      const lane = cold<ExecEvent>(marble, { a: stdout('a') }, failure(attempt.reason));
      return attempt.opened ? defer(() => (ledger.socketOpened(), lane)) : lane;
    });
    lanes.push(cold<ExecEvent>('(x|)', { x: exitFrame(0) }));
    let next = 0;
    const source = defer(() => lanes[next++] as Observable<ExecEvent>);
    source.pipe(reconnectWithBackoff({ ...policy, budget }, { refused, ledger })).subscribe({
      next: (event) => {
        if (event.type === 'exit') end = { at: scheduler.now(), exit: true };
      },
      error: (error: unknown) => {
        end = { at: scheduler.now(), gaveUpAfter: isReconnectBudgetExceededError(error) ? error.attempts : Number.NaN };
      },
    });
  });
  return end;
}

/**
 * Checks the operator against the oracle on `RUNS` scenarios of `kinds` of attempts, and that
 * both ends (the exit, giving up) were reached often enough for the property to mean something.
 */
function checkAgainstOracle(kinds: Progress[], largestBudget: number): void {
  const ends = { exits: 0, gaveUp: 0 };
  fc.assert(
    fc.property(attemptsArb(kinds), fc.integer({ min: 0, max: largestBudget }), (attempts, budget) => {
      const end = actualEnd(attempts, budget);
      if (end !== undefined && 'exit' in end) ends.exits += 1;
      else ends.gaveUp += 1;
      expect(end).toEqual(expectedEnd(attempts, budget));
    }),
    { numRuns: RUNS, seed: SEED },
  );
  expect(ends.exits).toBeGreaterThan(RUNS / 10);
  expect(ends.gaveUp).toBeGreaterThan(RUNS / 10);
}

describe('reconnectWithBackoff: the budget bounds only consecutive attempts without progress', () => {
  it(`attempts that each made progress never exhaust a budget that holds the longest delay (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(attemptsArb(['emitted', 'stayedOpen']), fc.integer({ min: LONGEST_DELAY, max: 60 }), (attempts, budget) => {
        const end = actualEnd(attempts, budget);
        expect(end).toEqual(expectedEnd(attempts, budget));
        expect(end).toMatchObject({ exit: true });
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`a run without progress gives up exactly when its span, the next delay included, passes the budget (${RUNS} runs)`, () => {
    checkAgainstOracle(['none'], 150);
  });

  it(`any mix: each attempt that made progress starts a new run, and only a run counts against the budget (${RUNS} runs)`, () => {
    checkAgainstOracle(['emitted', 'stayedOpen', 'none'], 100);
  });
});
