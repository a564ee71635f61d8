/**
 * The one bounded wait of the tests: a wait that fails, naming what it waited for, after `ms`
 * instead of hanging until the test's timeout. As an operator on an observable (its subscription
 * is dropped at the deadline), or on a promise.
 */
import { firstValueFrom, from, throwError, timeout, type MonoTypeOperatorFunction } from 'rxjs';

/** What a wait waited for: a text, or a function read at the deadline (to show the state then). */
export type WaitedFor = string | (() => string);

/** Errors the source with `timed out after <ms> ms waiting for <what>` unless it emits within `ms`. */
export function failAfter<T>(ms: number, what: WaitedFor): MonoTypeOperatorFunction<T> {
  return timeout({
    first: ms,
    with: () => throwError(() => new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`)),
  });
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms = 3_000, what: WaitedFor = 'event'): Promise<T> {
  return firstValueFrom(from(promise).pipe(failAfter(ms, what)));
}
