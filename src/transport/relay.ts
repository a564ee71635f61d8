import { Observable, type Subscriber } from 'rxjs';

/**
 * A hot multicast, as much of RxJS's `Subject` as the outbox needs: `next` reaches the current
 * subscribers; `error` reaches them and every later one. (`Subject` costs a browser bundle 2.6 KB
 * minified, which the client would otherwise carry for these two calls.)
 *
 * ```
 * next/error:  --a----b---#
 * subscriber1: ^-a----b---#
 * subscriber2:      ^-b---#
 * subscriber3:              ^#     an error reaches later subscribers at once
 * ```
 *
 * @example
 * const opened = new Relay<void>();
 * opened.events.subscribe(() => console.log('open'));
 * opened.next();
 */
export class Relay<T> {
  private readonly subscribers = new Set<Subscriber<T>>();
  private failure: { readonly error: unknown } | undefined;

  /** The relay as an observable: it never completes. */
  readonly events = new Observable<T>((subscriber) => {
    if (this.failure !== undefined) {
      subscriber.error(this.failure.error);
      return undefined;
    }
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
    };
  });

  /** Sends `value` to the current subscribers (to none once errored). */
  next(value: T): void {
    if (this.failure === undefined) for (const subscriber of [...this.subscribers]) subscriber.next(value);
  }

  /** Errors the current subscribers and every later one; only the first call counts. */
  error(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = { error };
    for (const subscriber of [...this.subscribers]) subscriber.error(error);
    this.subscribers.clear();
  }
}
