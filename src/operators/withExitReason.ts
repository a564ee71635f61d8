import { Observable, catchError, type MonoTypeOperatorFunction } from 'rxjs';
import { firstOr } from './firstOr.js';
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
 * Errors pass through at once. Unsubscribing cancels the request. What the source sends while a
 * reason is asked for waits for it, completion included, as with `concatMap` (the client applies
 * this only with its `exitReason` option).
 *
 * @param reason the server's reason for the failed exit, or `undefined`; only its first value is used.
 */
export function withExitReason(reason: () => Observable<string | undefined>): MonoTypeOperatorFunction<ExecEvent> {
  return (source) =>
    new Observable<ExecEvent>((subscriber) => {
      /** While a reason is asked for: what the source sent since, in order (`undefined`: it completed). */
      let held: (ExecEvent | undefined)[] | undefined;
      const pass = (event: ExecEvent | undefined): void => {
        if (held) held.push(event);
        else if (event === undefined) subscriber.complete();
        else if (event.type !== 'exit' || event.exitCode === 0 || event.message !== undefined) subscriber.next(event);
        else {
          held = [];
          subscriber.add(
            reason()
              .pipe(catchError(() => []), firstOr(undefined))
              .subscribe((message) => {
                subscriber.next(message === undefined ? event : { ...event, message });
                const waiting = held ?? [];
                held = undefined;
                for (const next of waiting) pass(next);
              }),
          );
        }
      };
      subscriber.add(source.subscribe({ next: pass, error: (error: unknown) => subscriber.error(error), complete: () => pass(undefined) }));
    });
}
