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

/** Resolves once everything written so far to `stream` has been handed to the OS. */
export function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}
