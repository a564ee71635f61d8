import { asyncScheduler, defer, retry, throwError, timer, type Observable } from 'rxjs';
import { isAttachRejectedError } from '../errors.js';
import type { ExecEvent } from '../events.js';

/** How `reattach` waits out a slot the server still holds (409). */
export interface ConflictBackoff {
  /** First delay in ms (default 50). */
  readonly initialDelay?: number;
  /** Largest delay in ms (default 2000). */
  readonly maxDelay?: number;
  /** Milliseconds after which a 409 is final (default 60000: the server frees a silently cut slot within 45 s). */
  readonly deadline?: number;
}

/**
 * The attach used to drain the server's buffer after a cut: `attach$`, retried immediately and
 * then with short backoff while the server answers 409 (its slot still held by the cut socket).
 *
 * ```
 * attach$ (1st):  --409|
 * attach$ (2nd):         --409|           50 ms later
 * attach$ (3rd):                   --a--x|   100 ms later
 * reattach:       ---------------------a--x|
 * ```
 *
 * Only a 409 is retried, and only before `deadline`; any other failure, or a 409 past the deadline,
 * errors at once with the same error. No event is emitted before a successful upgrade, so a retry
 * never repeats output.
 *
 * @example
 * reattach(client.attach(boxId, executionId)).subscribe(console.log);
 * @see drainOnTerminal
 */
export function reattach(attach$: Observable<ExecEvent>, backoff: ConflictBackoff = {}): Observable<ExecEvent> {
  const { initialDelay = 50, maxDelay = 2000, deadline = 60_000 } = backoff;
  return defer(() => {
    const start = asyncScheduler.now();
    return attach$.pipe(
      retry({
        delay: (error: unknown, attempt: number) => {
          const wait = Math.min(initialDelay * 2 ** (attempt - 1), maxDelay);
          const conflict = isAttachRejectedError(error) && error.status === 409;
          if (!conflict || asyncScheduler.now() - start + wait > deadline) return throwError(() => error);
          return timer(wait);
        },
      }),
    );
  });
}
