import { Observable } from 'rxjs';

/** A signal the CLI received: its name, its number, and whether it is a repeat of the same signal. */
export interface ReceivedSignal {
  readonly name: 'SIGINT' | 'SIGTERM' | 'SIGHUP';
  /** The in-band signal number forwarded to the command (2, 15, 1). */
  readonly number: number;
  /** True from the second time this same signal arrives. */
  readonly repeat: boolean;
}

const FORWARDED: readonly (readonly [ReceivedSignal['name'], number])[] = [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
];

/**
 * SIGINT, SIGTERM and SIGHUP while subscribed (replacing Node's default of dying at once), each
 * marked as a repeat from its second arrival. Counts start afresh for each subscription.
 */
export function processSignals(): Observable<ReceivedSignal> {
  return new Observable<ReceivedSignal>((subscriber) => {
    const seen = new Set<string>();
    const handlers = FORWARDED.map(([name, number]) => {
      const handler = (): void => {
        const repeat = seen.has(name);
        seen.add(name);
        subscriber.next({ name, number, repeat });
      };
      process.on(name, handler);
      return [name, handler] as const;
    });
    return () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    };
  });
}
