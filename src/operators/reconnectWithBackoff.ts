import {
  asyncScheduler,
  defer,
  retry,
  throwError,
  timer,
  type MonoTypeOperatorFunction,
} from 'rxjs';
import { ReconnectBudgetExceededError, isReconnectRequiredError } from '../errors.js';

/** The reconnect policy. Defaults are the reference client's. */
export interface ReconnectConfig {
  /** First delay in ms (default 15000). */
  readonly initialDelay?: number;
  /** Largest delay in ms (default 30000); each delay doubles up to it. */
  readonly maxDelay?: number;
  /**
   * Milliseconds a run of failed reconnects may last before giving up (default 270000, inside the
   * server's 5-minute grace for a detached execution). Any delivered event starts a new run.
   */
  readonly budget?: number;
}

/**
 * Resubscribes to the source after a `ReconnectRequiredError`, with exponential backoff and a total
 * budget; every other error passes through at once.
 *
 * ```
 * source (1st): --a--#                # ReconnectRequiredError
 * source (2nd):         (15 s) --b--x|
 * result:       --a-------------b--x|
 *
 * source:       --#  --#  --#         past the budget
 * result:       --------------#       ReconnectBudgetExceededError (cause: the last failure)
 * ```
 *
 * Built on `retry({ delay, resetOnSuccess: true })` and `timer`, so a `TestScheduler` drives it.
 * The source is expected to start where it left off (as `exec`'s replay cursor makes it).
 *
 * @example
 * follow$.pipe(drainOnTerminal(config), reconnectWithBackoff({ initialDelay: 1000 }));
 * @see drainOnTerminal
 */
export function reconnectWithBackoff<T>(config: ReconnectConfig = {}): MonoTypeOperatorFunction<T> {
  const { initialDelay = 15_000, maxDelay = 30_000, budget = 270_000 } = config;
  if (!(initialDelay >= 0)) throw new RangeError(`reconnect: initialDelay must be >= 0, got ${initialDelay}`);
  if (!(maxDelay >= initialDelay)) throw new RangeError(`reconnect: maxDelay must be >= initialDelay, got ${maxDelay}`);
  if (!(budget >= 0)) throw new RangeError(`reconnect: budget must be >= 0, got ${budget}`);
  return (source) =>
    defer(() => {
      let runStart = 0;
      return source.pipe(
        retry({
          // A delivered event resets the count, so attempt 1 always opens a new run of failures.
          resetOnSuccess: true,
          delay: (error: unknown, attempt: number) => {
            if (!isReconnectRequiredError(error)) return throwError(() => error);
            const now = asyncScheduler.now();
            if (attempt === 1) runStart = now;
            const wait = Math.min(initialDelay * 2 ** (attempt - 1), maxDelay);
            if (now - runStart + wait > budget) {
              return throwError(() => new ReconnectBudgetExceededError(attempt, { cause: error }));
            }
            return timer(wait);
          },
        }),
      );
    });
}
