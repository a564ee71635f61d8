import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { ExecEvent } from '../events.js';

/** What `forwardEvents` puts beside the source, and where it stops. */
export interface ForwardEventsConfig {
  /**
   * Observables subscribed before the source, whose events go out among the source's as they
   * happen (notices) and whose error errors the result (an outbox's `failures`). Their completion
   * ends nothing.
   */
  readonly beside?: readonly Observable<ExecEvent>[];
  /** Called with each event of the source as it goes out, in the same call (what `tap` would do with a call of its own). */
  readonly onEvent?: (event: ExecEvent) => void;
  /**
   * `true` (default): the exit event completes the result, and the source is unsubscribed.
   * `false`: the exit passes like any event; the source's completion ends the result.
   */
  readonly untilExit?: boolean;
}

/**
 * Forwards the source's events until the exit event, which completes the result, with the events
 * of `beside` put among them in the tick they happen; the first error of any of them errors it.
 *
 * A notice emitted beside as something happens (a failure the source reports, a socket that
 * opens) goes out in that call, before any event the source emits after it: so a `reconnecting`
 * notice precedes the events of the attempt it announces.
 *
 * ```
 * source:  --a----b---x--c|
 * beside:  -----n---------        n: a notice
 * result:  --a--n-b---(x|)        the exit completes it; the rest is unsubscribed
 *
 * source:  --a-----b--
 * beside:  -----#                 an outbox failure (bad input)
 * result:  --a--#
 *
 * source:  --a---x|               untilExit: false
 * result:  --a---x|               the source's completion ends it
 * ```
 *
 * The source completing completes the result too; `beside` completing does not. Each event is
 * passed on in one call, with no operator between the source and the subscriber: not
 * `merge(source, ...beside).pipe(takeWhile((event) => event.type !== 'exit', true))`, which
 * costs two calls per event. A side that errors as it is subscribed (an outbox that already
 * refused its input) errors the result before the source is subscribed.
 *
 * @example
 * attach(config).pipe(forwardEvents({ beside: [outbox.failures] }));
 * @see reconnectWithBackoff
 */
export function forwardEvents(config: ForwardEventsConfig = {}): MonoTypeOperatorFunction<ExecEvent> {
  const { beside = [], onEvent, untilExit = true } = config;
  return (source) =>
    new Observable<ExecEvent>((subscriber) => {
      const fail = (error: unknown): void => subscriber.error(error);
      for (const side of beside) subscriber.add(side.subscribe({ next: (event) => subscriber.next(event), error: fail }));
      if (subscriber.closed) return;
      subscriber.add(
        source.subscribe({
          next: (event) => {
            onEvent?.(event);
            subscriber.next(event);
            if (untilExit && event.type === 'exit') subscriber.complete();
          },
          error: fail,
          complete: () => subscriber.complete(),
        }),
      );
    });
}
