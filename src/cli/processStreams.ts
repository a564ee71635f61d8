import type { Writable } from 'node:stream';
import { Observable } from 'rxjs';

/** The CLI's own stdin as bytes; completes at EOF (or when stdin fails, as EOF). */
export function stdinBytes(stdin: NodeJS.ReadStream): Observable<Uint8Array> {
  return new Observable<Uint8Array>((subscriber) => {
    const onData = (chunk: Buffer): void => subscriber.next(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const onEnd = (): void => subscriber.complete();
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onEnd);
    return () => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onEnd);
      stdin.pause();
    };
  });
}

/**
 * Resolves once everything written so far to `stream` has been handed to the OS, or once the
 * stream fails: a reader that went away leaves nothing to wait for, and its error was reported
 * where it happened (never as an unhandled 'error' event and a stack trace at exit). With nothing
 * pending on a live stream it resolves at once, writing nothing: a reader that left after all the
 * output was handed on takes nothing from the run, so it must not change its exit status. A
 * stream already failed is written to all the same, so its 'error' comes before the exit.
 */
export function drained(stream: Writable | NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0 && !stream.destroyed && stream.errored == null) return Promise.resolve();
  return new Promise((resolve) => {
    // Kept after a failed write: the 'error' event comes after the write's callback.
    const failed = (): void => resolve();
    stream.once('error', failed);
    stream.write('', (error) => {
      if (error == null) stream.off('error', failed);
      resolve();
    });
  });
}
