import { Observable, type OperatorFunction } from 'rxjs';
import type { ExecEvent, OutputEvent } from '../events.js';
import type { OutputStream } from '../protocol/types.js';

/** Output as text: what `decodeUtf8` emits in place of each byte event. */
export interface TextEvent {
  readonly type: OutputStream;
  readonly text: string;
}

/** The events of `exec` with output decoded to text. */
export type DecodedEvent = Exclude<ExecEvent, OutputEvent> | TextEvent;

/**
 * Decodes output bytes to text, one streaming UTF-8 decoder per stream, so a character split
 * across frames comes out whole.
 *
 * ```
 * source:  --[e2 82]--[ac 0a]--x|      "€\n" split inside the euro sign
 * result:  ------------"€\n"----x|
 * ```
 *
 * A frame that ends inside a character emits only the complete characters (nothing when there are
 * none); the rest waits for the next frame of the same stream. Before the exit event, an error or
 * completion, an unfinished character is flushed as U+FFFD. Invalid bytes become U+FFFD; a leading
 * byte-order mark is kept, like every other character.
 *
 * @example
 * client.exec(box, { command: 'ls' }).pipe(decodeUtf8()).subscribe((e) => e.type === 'stdout' && console.log(e.text));
 * @see toExecResult
 */
export function decodeUtf8(): OperatorFunction<ExecEvent, DecodedEvent> {
  return (source) =>
    new Observable<DecodedEvent>((subscriber) => {
      const decoders: Record<OutputStream, TextDecoder> = {
        stdout: new TextDecoder('utf-8', { ignoreBOM: true }),
        stderr: new TextDecoder('utf-8', { ignoreBOM: true }),
      };
      const flush = (): void => {
        for (const type of ['stdout', 'stderr'] as const) {
          const text = decoders[type].decode();
          if (text !== '') subscriber.next({ type, text });
        }
      };
      return source.subscribe({
        next(event) {
          if (event.type === 'stdout' || event.type === 'stderr') {
            const text = decoders[event.type].decode(event.data, { stream: true });
            if (text !== '') subscriber.next({ type: event.type, text });
            return;
          }
          if (event.type === 'exit') flush();
          subscriber.next(event as DecodedEvent);
        },
        error(error: unknown) {
          flush();
          subscriber.error(error);
        },
        complete() {
          flush();
          subscriber.complete();
        },
      });
    });
}
