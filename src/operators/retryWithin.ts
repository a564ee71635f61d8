import { asyncScheduler, defer, type MonoTypeOperatorFunction } from 'rxjs';
import { doublingDelay } from '../limits.js';
import { retryAfter } from './retryAfter.js';

/** What `retryWithin` retries, how long it waits between attempts, and until when. */
export interface RetryWithinPolicy {
  /** Milliseconds from the subscription after which a retryable failure is final. */
  readonly deadline: number;
  /** First wait in ms; each next one doubles, up to `maxDelay`. */
  readonly initialDelay: number;
  readonly maxDelay: number;
  /** Whether a failure is retried at all; any other error passes through at once. */
  readonly retryable: (error: unknown) => boolean;
  /** Told each wait before it starts (attempt 1, 2, …), e.g. to announce it. */
  readonly waiting?: (delay: number, attempt: number) => void;
  /** The error a retryable failure at or past the deadline ends with (default: the failure itself). */
  readonly expired?: (error: unknown) => unknown;
}

/**
 * Resubscribes to the source after a retryable failure, with doubling backoff, until a deadline.
 *
 * ```
 * source (1st):  --e|                  e: a retryable failure
 * source (2nd):       --e|             initialDelay later
 * source (3rd):               --a|     twice that later
 * result:        -------------a|
 *
 * deadline 300, initialDelay 100: attempts at 0, 100, 300 (the wait of 200 is cut to
 * what is left, so the last attempt is made at the deadline); a failure then is final
 * ```
 *
 * Each wait is cut short where it would pass the deadline; a retryable failure at or after it
 * errors with `expired(error)`. The deadline runs from the subscription in scheduler time
 * (`retryAfter` waits on the `asyncScheduler`: a `TestScheduler` drives it).
 *
 * @example
 * attach$.pipe(retryWithin({ deadline: 60_000, initialDelay: 50, maxDelay: 2_000, retryable: isConflict }));
 * @see reattach
 */
export function retryWithin<T>(policy: RetryWithinPolicy): MonoTypeOperatorFunction<T> {
  const { deadline, initialDelay, maxDelay, retryable, waiting, expired } = policy;
  return (source) =>
    defer(() => {
      const start = asyncScheduler.now();
      return source.pipe(
        retryAfter((error, attempt) => {
          const waited = asyncScheduler.now() - start;
          if (!retryable(error)) throw error;
          if (waited >= deadline) throw expired ? expired(error) : error;
          const delay = Math.min(doublingDelay(initialDelay, maxDelay, attempt), deadline - waited);
          waiting?.(delay, attempt);
          return delay;
        }),
      );
    });
}
