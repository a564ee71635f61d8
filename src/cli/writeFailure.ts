import { Observable } from 'rxjs';

/**
 * Emits the first error of `stream` (EPIPE when the reader went away, as `| head` does) while
 * subscribed, then completes, so a closed stdout ends the run instead of crashing it.
 */
export function writeFailure(stream: NodeJS.WritableStream): Observable<NodeJS.ErrnoException> {
  return new Observable<NodeJS.ErrnoException>((subscriber) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      subscriber.next(error);
      subscriber.complete();
    };
    stream.on('error', onError);
    return () => {
      stream.off('error', onError);
    };
  });
}
