import type { Observable } from 'rxjs';
import { delays } from '../checkOptions.js';
import { isAttachRejectedError } from '../errors.js';
import type { ExecEvent } from '../events.js';
import { REFUSED_BACKOFF } from '../limits.js';
import { retryWithin } from '../operators/retryWithin.js';

/** How `reattach` waits out a slot the server still holds (409), or a server draining for a deploy (503). */
export interface ConflictBackoff {
  /** First delay in ms (default 50, `REFUSED_BACKOFF`). */
  readonly initialDelay?: number;
  /** Largest delay in ms (default 2000, `REFUSED_BACKOFF`). */
  readonly maxDelay?: number;
  /**
   * Milliseconds after which a 409 or a 503 is final (default 60000: the server frees a silently
   * cut slot within 45 s). No wait passes it: the last attempt is made at the deadline.
   */
  readonly deadline?: number;
}

/** `ConflictBackoff`'s defaults, one for each key (the compiler holds the table to the interface). */
export const CONFLICT_DEFAULTS: { readonly [K in keyof ConflictBackoff]-?: number } = { ...REFUSED_BACKOFF, deadline: 60_000 };

/**
 * A refusal that passes: 409, the slot still held; 503, a server draining (it frees up or goes
 * away) or a busy proxy; no status, which a runtime's own WebSocket cannot show (it may be a 409).
 */
const isPassingRefusal = (error: unknown): boolean => {
  if (!isAttachRejectedError(error)) return false;
  const { status = 409 } = error;
  return status === 409 || status === 503;
};

/**
 * The attach used to drain the server's buffer after a cut: `attach$`, retried immediately and
 * then with short backoff while the server answers 409 (its slot still held by the cut socket)
 * or 503 (a runner draining for a deploy answers `{"error":"runner is draining"}`), until `deadline`.
 *
 * ```
 * attach$ (1st):  --409|
 * attach$ (2nd):         --409|           50 ms later
 * attach$ (3rd):                   --a--x|   100 ms later
 * reattach:       ---------------------a--x|
 *
 * deadline 3000, the slot freed at 2500:
 * attempts at     0, 50, 150, 350, 750, 1550 (409 each), 3000 (101)
 *                 the wait after 1550 would be 1600: cut to the 1450 ms left
 * ```
 *
 * Only a 409 or a 503 is retried (an attach creates nothing, so any 503 body may be waited out),
 * and a refusal without a status (a runtime's own WebSocket shows none: it may be a 409). Each wait
 * is the backoff (`initialDelay` doubling to `maxDelay`), cut short where it would pass `deadline`,
 * so the last attempt is made at the deadline itself; a retried refusal at or after the deadline is
 * final. Any other failure errors at once with the same error, and so does that final one. No event
 * is emitted before a successful upgrade, so a retry never repeats output. The deadline runs from
 * the subscription, in scheduler time (`TestScheduler` drives it). A delay that is not a number of
 * milliseconds a timer can wait, or an unknown key, throws at once.
 *
 * @example
 * reattach(client.attach(boxId, executionId)).subscribe(console.log);
 * @see drainOnTerminal
 */
export function reattach(attach$: Observable<ExecEvent>, backoff: ConflictBackoff = {}): Observable<ExecEvent> {
  const { initialDelay, maxDelay, deadline } = delays('reattach', 'options', backoff, CONFLICT_DEFAULTS, ['deadline']);
  return attach$.pipe(retryWithin({ deadline, initialDelay, maxDelay, retryable: isPassingRefusal }));
}
