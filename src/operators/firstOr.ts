import { Observable, type OperatorFunction } from 'rxjs';

/**
 * The source's first value, or `fallback` when the source completes without one; then completes.
 * RxJS's `take(1)` followed by `defaultIfEmpty(fallback)`, as one subscriber: the pair kept two
 * operators in every browser bundle for the three places (the probe, its answer in the drain, the
 * exit reason) that ask a source for one answer.
 *
 * ```
 * source:  --a--b--|        source:  -----|          source:  --#
 * result:  --(a|)           result:  -----(f|)       result:  --#
 * ```
 *
 * Errors pass through as they are; unsubscribing from the result unsubscribes from the source.
 *
 * @example
 * config.probe().pipe(firstOr(NO_PROBE_RESULT), concatMap(afterProbe));
 * @param fallback What to emit when the source completes empty.
 * @returns The first value or the fallback, then completion.
 */
export function firstOr<T, F>(fallback: F): OperatorFunction<T, T | F> {
  return (source) =>
    new Observable<T | F>((subscriber) =>
      source.subscribe({
        next: (value) => {
          subscriber.next(value);
          subscriber.complete();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          subscriber.next(fallback);
          subscriber.complete();
        },
      }),
    );
}
