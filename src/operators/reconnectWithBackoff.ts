import { EMPTY, Observable, asyncScheduler, defer, of, retry, timer, type MonoTypeOperatorFunction } from 'rxjs';
import {
  ReconnectBudgetExceededError,
  isAttachDisconnectedError,
  isAttachRejectedError,
  isReconnectRequiredError,
  isTokenProviderError,
  type ReconnectRequiredError,
} from '../errors.js';
import { notice, type ExecEvent, type ReconnectReason } from '../events.js';

/** The reconnect policy. Every delay is in milliseconds. */
export interface ReconnectConfig {
  /** First delay while the server is unavailable (the status probe failed: network, timeout, 5xx). Default 15000. */
  readonly initialDelay?: number;
  /** Largest delay while the server is unavailable; each delay doubles up to it. Default 30000. */
  readonly maxDelay?: number;
  /**
   * How long a run of consecutive failed attempts may last before giving up. Default 270000
   * (inside the server's 5-minute grace for a detached execution). An attempt that made
   * progress (see `healthyAfter`) ends the run, so an execution whose sockets keep being accepted
   * is followed for as long as it runs.
   */
  readonly budget?: number;
  /** A socket that stays open this long, or delivers anything, made progress. Default 1000. */
  readonly healthyAfter?: number;
}

/** What the operator needs beyond the policy. */
export interface ReconnectContext {
  /** Delays after a refused connect while the server answers (409, 502): 50 doubling to 2000 by default. */
  readonly refused?: { readonly initialDelay?: number; readonly maxDelay?: number };
  /**
   * Whether the attempt that just failed had a socket accepted long enough to count as progress
   * (`createRunnerClient` tells it from the socket's open and `healthyAfter`). An attempt that
   * emitted anything made progress in any case.
   */
  readonly accepted?: () => boolean;
  /** Emits when a socket opens; the first one after a `reconnecting` notice is announced as `reconnected`. */
  readonly opened?: Observable<unknown>;
}

/** Why a reconnect is needed, from the probe's answer and the failure behind it. */
function reasonOf(error: ReconnectRequiredError): ReconnectReason {
  if (error.probe.state === 'unavailable') return 'unavailable';
  const { cause } = error;
  if (isAttachDisconnectedError(cause)) return 'cut';
  if (isTokenProviderError(cause)) return 'token';
  return isAttachRejectedError(cause) && cause.status === 409 ? 'conflict' : 'refused';
}

const doubling = (initial: number, max: number, attempt: number): number => Math.min(initial * 2 ** (attempt - 1), max);

/**
 * Resubscribes to the source after a `ReconnectRequiredError`: at once after a cut while the
 * process runs, with short backoff after a refused connect, with long backoff while the server is
 * unavailable; every other error passes through at once. Each reconnect is announced first with
 * a `reconnecting` notice (attempt, reason, delay), and the socket it opens (see `opened`) with a
 * `reconnected` notice.
 *
 * ```
 * source (1st): --a--#                 # cut, probe: running
 * source (2nd):      (n)--b--x|        at once
 * result:       --a--(nr)b--x|         n: reconnecting (cut, 0 ms), r: reconnected (at the open)
 *
 * source (1st): --a--#                 # probe: unavailable
 * source (2nd):      n (15 s) --b--x|
 *
 * source:       --#  --#  --#          no progress, past the budget
 * result:       --n--n--n--#           ReconnectBudgetExceededError (cause: the last failure)
 * ```
 *
 * | the failure | the delay |
 * |---|---|
 * | a cut (the socket had opened), probe `running`, first in the run | 0: at once |
 * | a refused connect (409 slot held, 502, token provider failure), or a repeat, probe `running` | `refused`: 50 ms doubling to 2 s |
 * | probe `unavailable` (network, timeout, 5xx) | `initialDelay` doubling to `maxDelay` (15 s → 30 s) |
 *
 * A run of failures ends when an attempt made progress: it emitted anything, or `accepted()`
 * says its socket stayed open `healthyAfter` ms. Only a run longer than `budget` gives up.
 * Built on `retry({ delay })` and `timer`, so a `TestScheduler` drives it. The source is expected
 * to start where it left off (as `exec`'s replay cursor makes it).
 *
 * @example
 * follow$.pipe(drainOnTerminal(config), reconnectWithBackoff({ budget: 60_000 }));
 * @see drainOnTerminal
 */
export function reconnectWithBackoff(config: ReconnectConfig = {}, context: ReconnectContext = {}): MonoTypeOperatorFunction<ExecEvent> {
  const { initialDelay = 15_000, maxDelay = 30_000, budget = 270_000 } = config;
  const { refused = {}, accepted = () => false, opened = EMPTY } = context;
  const { initialDelay: refusedInitial = 50, maxDelay: refusedMax = 2_000 } = refused;
  if (!(initialDelay >= 0)) throw new RangeError(`reconnect: initialDelay must be >= 0, got ${initialDelay}`);
  if (!(maxDelay >= initialDelay)) throw new RangeError(`reconnect: maxDelay must be >= initialDelay, got ${maxDelay}`);
  if (!(budget >= 0)) throw new RangeError(`reconnect: budget must be >= 0, got ${budget}`);
  return (source) =>
    new Observable<ExecEvent>((subscriber) => {
      let emitted = false;
      let failures = 0;
      let unavailable = 0;
      let refusals = 0;
      let runStart = 0;
      let reconnecting = false;
      const delayFor = (error: unknown): Observable<unknown> => {
        if (!isReconnectRequiredError(error)) throw error;
        const now = asyncScheduler.now();
        if (emitted || accepted() || failures === 0) {
          failures = 0;
          unavailable = 0;
          refusals = 0;
          runStart = now;
        }
        emitted = false;
        failures += 1;
        const reason = reasonOf(error);
        let wait = 0;
        if (reason === 'unavailable') {
          unavailable += 1;
          wait = doubling(initialDelay, maxDelay, unavailable);
        } else if (reason !== 'cut' || failures > 1) {
          refusals += 1;
          wait = doubling(refusedInitial, refusedMax, refusals);
        }
        if (now - runStart + wait > budget) throw new ReconnectBudgetExceededError(failures, { cause: error });
        reconnecting = true;
        subscriber.next(
          notice('reconnecting', `reconnecting (attempt ${failures}, ${reason}) in ${wait} ms`, { attempt: failures, reason, delay: wait }),
        );
        // At once means in this tick: even timer(0) would cost a macrotask (a millisecond in Node).
        return wait === 0 ? of(0) : timer(wait);
      };
      subscriber.add(
        opened.subscribe(() => {
          if (!reconnecting) return;
          reconnecting = false;
          subscriber.next(notice('reconnected', `reconnected after ${failures} attempt(s)`, { attempt: failures }));
        }),
      );
      // The events go straight to the subscriber (no tap or merge hop per event): the notices
      // above are emitted in the tick they happen, before the attempt they announce.
      subscriber.add(
        source.pipe(retry({ delay: (error: unknown) => defer(() => delayFor(error)) })).subscribe({
          next: (event) => {
            emitted = true;
            subscriber.next(event);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        }),
      );
    });
}
