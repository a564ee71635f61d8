import type { ReconnectReason } from '../events.js';
import { doublingDelay } from '../limits.js';

/**
 * A run of consecutive failed attempts, none of which made progress (see `AttemptLedger`), with
 * the failure being decided counted in.
 */
export interface FailureRun {
  /** When its first failure was decided, in scheduler time. */
  readonly startedAt: number;
  /** How many failures it holds (1, 2, …). */
  readonly failures: number;
  /** How many of them waited the `unavailable` backoff. */
  readonly unavailable: number;
  /** How many of them waited the `refused` backoff. */
  readonly refused: number;
}

/** Which wait a failure takes: none, the short backoff after a refused connect, or the long one while the server is unavailable. */
export type Backoff = 'none' | 'refused' | 'unavailable';

/** The delays of the two backoffs, each doubling from `initialDelay` to `maxDelay`. */
export interface ReconnectDelays {
  /** While the server is unavailable. */
  readonly initialDelay: number;
  readonly maxDelay: number;
  /** After a refused connect while the server answers. */
  readonly refused: { readonly initialDelay: number; readonly maxDelay: number };
}

/**
 * The row of `reconnectWithBackoff`'s table a failure falls in, for the `failures`-th failure of
 * its run:
 *
 * | the failure | the backoff |
 * |---|---|
 * | a cut, probe `running`, first in the run | `none` |
 * | a refused connect (`conflict`, `refused`, `token`), or a repeat, probe `running` | `refused` |
 * | probe `unavailable` | `unavailable` |
 */
export function backoffOf(reason: ReconnectReason, failures: number): Backoff {
  if (reason === 'unavailable') return 'unavailable';
  return reason === 'cut' && failures === 1 ? 'none' : 'refused';
}

/**
 * The delay before the attempt after a failure, from the run it belongs to (the failure counted
 * in) and its reason: 0 for the row `none`, else the backoff of its row, doubling with the number
 * of failures of that row in the run.
 *
 * ```
 * run:     cut   conflict  conflict  unavailable  unavailable
 * delay:   0     50        100       15000        30000        (the defaults)
 * ```
 */
export function reconnectDelay(run: FailureRun, reason: ReconnectReason, delays: ReconnectDelays): number {
  const backoff = backoffOf(reason, run.failures);
  if (backoff === 'none') return 0;
  const { initialDelay, maxDelay } = backoff === 'refused' ? delays.refused : delays;
  return doublingDelay(initialDelay, maxDelay, run[backoff]);
}
