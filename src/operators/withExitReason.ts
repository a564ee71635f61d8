import { EMPTY, catchError, concatMap, defaultIfEmpty, map, take, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import type { ExecEvent } from '../events.js';

/**
 * Adds the server's reason to a failed exit: on an exit event with a non-zero code and no
 * `message`, `reason()` is asked once (for the client: one `GET` of the
 * execution's status, whose `error_message` says why, e.g. `spawn no-such-binary ENOENT`), and the
 * exit goes out with that `message`, or as it was when there is none or the request fails.
 * Everything else passes through untouched, in the same tick; a zero exit costs nothing.
 *
 * ```
 * source:   --a--b--x|           x: exit 127, no message
 * reason():         --r|         r: 'spawn no-such-binary ENOENT' (asked at x)
 * result:   --a--b----(y|)       y: x with message r
 * ```
 *
 * Errors pass through. Unsubscribing cancels the request. Every event goes through one
 * `concatMap` (the client applies this only with its `exitReason` option).
 *
 * @param reason the server's reason for the failed exit, or `undefined`; only its first value is used.
 */
export function withExitReason(reason: () => Observable<string | undefined>): MonoTypeOperatorFunction<ExecEvent> {
  return concatMap((event) =>
    event.type !== 'exit' || event.exitCode === 0 || event.message !== undefined
      ? [event]
      : reason().pipe(
          catchError(() => EMPTY),
          take(1),
          defaultIfEmpty(undefined),
          map((message): ExecEvent => (message === undefined ? event : { ...event, message })),
        ),
  );
}
