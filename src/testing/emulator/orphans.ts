/**
 * Orphan reaping (docs/protocol.md §4): a running execution with no client attached gets SIGHUP after
 * `hupMs`, SIGTERM `termMs` later and SIGKILL `killMs` after that. Attaching resets the clock.
 */

import { concat, map, timer, type Observable } from 'rxjs';

/** Delays of the orphan reaper, each counted from the previous step. */
export interface OrphanGrace {
  /** From detach (or start) to SIGHUP. Default 300000. */
  readonly hupMs: number;
  /** From SIGHUP to SIGTERM. Default 30000. */
  readonly termMs: number;
  /** From SIGTERM to SIGKILL. Default 30000. */
  readonly killMs: number;
}

/** Defaults of the Go runner. */
export const DEFAULT_ORPHAN_GRACE: OrphanGrace = { hupMs: 300_000, termMs: 30_000, killMs: 30_000 };

/**
 * The signals an orphan receives, each at its time: 1, then 15, then 9, then complete.
 * Subscribe when the slot frees, unsubscribe when a client attaches.
 *
 * ```
 * hupMs ─── 1 ─── termMs ─── 15 ─── killMs ─── 9|
 * ```
 */
export function orphanSignals(grace: OrphanGrace): Observable<number> {
  return concat(
    timer(grace.hupMs).pipe(map(() => 1)),
    timer(grace.termMs).pipe(map(() => 15)),
    timer(grace.killMs).pipe(map(() => 9)),
  );
}
