import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type Subscription } from 'rxjs';

/**
 * Resubscribes to the source after an error, when `delay` says how long to wait; `delay` throws to
 * end with that error instead. RxJS's `retry({ count, delay })` with a wait as a number, as one
 * subscriber: `retry`, and the `throwError`s its callers returned, kept RxJS's `retry` internals in
 * every browser bundle for the three places (`retryWithin`, `reconnectWithBackoff`, the drain's
 * re-attach) that resubscribe.
 *
 * ```
 * source (1st):  --a--#             delay(e, 1) = 3
 * source (2nd):          --b--|
 * result:        --a---------b--|
 *
 * source (1st):  --a--#             delay(e, 1) = 'now': resubscribed in the same tick
 * source (2nd):       --b--|
 * result:        --a----b--|
 *
 * source:        --a--#             delay throws x, or more than `count` errors
 * result:        --a--#             the error thrown (x), or the source's
 * ```
 *
 * `delay` gets the error and the attempt (1 for the first error, 2 for the next, …). A number is a
 * wait on the `asyncScheduler` (0 still waits for a task, as `timer(0)` does); `'now'` resubscribes
 * at once, after the failed subscription is torn down. Values and completion pass through;
 * unsubscribing from the result unsubscribes from the source and cancels a wait.
 *
 * @example
 * source.pipe(retryAfter((error, attempt) => { if (!retryable(error)) throw error; return 100 * attempt; }));
 * @param delay The wait before attempt `attempt + 1`, or a throw to end with an error.
 * @param count How many times the source is resubscribed at most (default: no limit).
 * @returns An operator that resubscribes to the source after its errors.
 */
export function retryAfter<T>(delay: (error: unknown, attempt: number) => number | 'now', count = Infinity): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let attempt = 0;
      let current: Subscription | undefined;
      /** The source failed during its subscribe and is to be resubscribed at once. */
      let again = false;
      const subscribe = (): void => {
        if (subscriber.closed) return;
        again = false;
        current = undefined;
        const subscription = source.subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => {
            let wait: number | 'now';
            try {
              if (++attempt > count) throw error;
              wait = delay(error, attempt);
            } catch (final) {
              subscriber.error(final);
              return;
            }
            if (wait !== 'now') subscriber.add(asyncScheduler.schedule(subscribe, wait));
            else if (current === undefined) again = true;
            else {
              current.unsubscribe();
              subscribe();
            }
          },
          complete: () => subscriber.complete(),
        });
        if (again) {
          subscription.unsubscribe();
          subscribe();
        } else subscriber.add((current = subscription));
      };
      subscribe();
    });
}
