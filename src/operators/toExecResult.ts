import { Observable, type OperatorFunction } from 'rxjs';
import { concatBytes } from '../delivery/concatBytes.js';
import type { ExecEvent, NoticeEvent } from '../events.js';

/** The whole outcome of one execution. */
export interface ExecResult {
  /** From the `started` event; `undefined` for a stream that had none (a plain attach). */
  readonly executionId: string | undefined;
  readonly exitCode: number;
  /** Where the exit code came from: the server's exit frame, or the status endpoint. */
  readonly exitSource: 'frame' | 'probe';
  /** The status endpoint's diagnostic (`error_message`): when the exit came from it, or with the client's `exitReason` option. */
  readonly exitMessage: string | undefined;
  /** Stdout decoded as UTF-8 (invalid bytes as U+FFFD). */
  readonly stdout: string;
  readonly stderr: string;
  /** The exact bytes. */
  readonly stdoutBytes: Uint8Array;
  readonly stderrBytes: Uint8Array;
  /** Every notice seen on the way (server errors, malformed frames, possible loss). */
  readonly notices: readonly NoticeEvent[];
}

/**
 * Collects an event stream into one `ExecResult`, emitted when the exit event arrives.
 *
 * ```
 * source:  --s--"he"--"llo"--x|
 * result:  ------------------(r|)     r = { exitCode: 0, stdout: 'hello', … }
 * ```
 *
 * Errors pass through. A source that completes without an exit event errors with a `TypeError`.
 * Text is decoded exactly: invalid bytes become U+FFFD, a leading byte-order mark is kept.
 *
 * @example
 * const { exitCode, stdout } = await firstValueFrom(client.exec(box, { command: 'echo', args: ['hi'] }).pipe(toExecResult()));
 * @see decodeUtf8
 */
export function toExecResult(): OperatorFunction<ExecEvent, ExecResult> {
  return (source) =>
    new Observable<ExecResult>((subscriber) => {
      let executionId: string | undefined;
      const chunks: Record<'stdout' | 'stderr', Uint8Array[]> = { stdout: [], stderr: [] };
      const notices: NoticeEvent[] = [];
      return source.subscribe({
        next(event) {
          switch (event.type) {
            case 'started':
              executionId = event.executionId;
              return;
            case 'stdout':
            case 'stderr':
              chunks[event.type].push(event.data);
              return;
            case 'notice':
              notices.push(event);
              return;
            case 'exit': {
              const stdoutBytes = concatBytes(chunks.stdout);
              const stderrBytes = concatBytes(chunks.stderr);
              const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
              subscriber.next({
                executionId,
                exitCode: event.exitCode,
                exitSource: event.source,
                exitMessage: event.message,
                stdout: decoder.decode(stdoutBytes),
                stderr: decoder.decode(stderrBytes),
                stdoutBytes,
                stderrBytes,
                notices,
              });
              subscriber.complete();
            }
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.error(new TypeError('toExecResult: the stream completed without an exit event')),
      });
    });
}
