import { Observable, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { alignReplay } from '../delivery/alignReplay.js';
import { concatBytes } from '../delivery/concatBytes.js';
import type { ReplayCursor } from '../delivery/replayCursor.js';
import type { ExecEvent } from '../events.js';
import type { OutputStream } from '../protocol/types.js';

/**
 * Drops the bytes a re-attach replays that an earlier attach already delivered, using a cursor
 * shared by every attach of one execution. Put it on each attach stream, before the streams meet.
 *
 * ```
 * cursor: delivered stdout "ab"
 * attach:   --"abc"--"d"--x|     the ring replayed from byte 0, then live output
 * result:   --"c"----"d"--x|
 * ```
 *
 * On a stream that already delivered bytes, the first bytes of a new attach are held until there
 * are enough to align the replay (at most `ringBytes`, usually one frame), then aligned by
 * `alignReplay`: exact while the server's ring has not wrapped, by content after, and otherwise
 * with a `replay-overlap-unknown` or `output-lost` notice. Held bytes are released before the exit
 * event, an error or completion, so a cut during the replay loses nothing. The cursor advances only
 * as bytes are handed to the subscriber.
 *
 * @example
 * const cursor = new ReplayCursor();
 * concat(attach$.pipe(skipReplayed(cursor)), reattach$.pipe(skipReplayed(cursor)));
 * @see ReplayCursor
 * @see alignReplay
 */
export function skipReplayed(cursor: ReplayCursor): MonoTypeOperatorFunction<ExecEvent> {
  return (source) =>
    new Observable<ExecEvent>((subscriber) => {
      const segments = {
        stdout: new SegmentStream(cursor, 'stdout', subscriber),
        stderr: new SegmentStream(cursor, 'stderr', subscriber),
      };
      const release = (): void => {
        segments.stdout.release();
        segments.stderr.release();
      };
      return source.subscribe({
        next(event) {
          if (event.type === 'stdout' || event.type === 'stderr') {
            segments[event.type].push(event.data);
            return;
          }
          if (event.type === 'exit') release();
          subscriber.next(event);
        },
        error(error: unknown) {
          release();
          subscriber.error(error);
        },
        complete() {
          release();
          subscriber.complete();
        },
      });
    });
}

/** One stream of one attach: live, or holding its first bytes until they can be aligned. */
class SegmentStream {
  private held: Uint8Array[] | undefined;
  private heldBytes = 0;
  private readonly needed: number;

  constructor(
    private readonly cursor: ReplayCursor,
    private readonly stream: OutputStream,
    private readonly subscriber: Subscriber<ExecEvent>,
  ) {
    const delivered = cursor.deliveredBytes(stream);
    this.needed = Math.min(delivered, cursor.ringBytes);
    if (delivered > 0) this.held = [];
  }

  push(chunk: Uint8Array): void {
    const { held } = this;
    if (held === undefined) {
      this.deliver(chunk);
      return;
    }
    held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes >= this.needed) this.align(false);
  }

  /** The attach is ending: align what was held, if anything. */
  release(): void {
    if (this.held !== undefined && this.heldBytes > 0) this.align(true);
  }

  private align(ended: boolean): void {
    const replay = concatBytes(this.held ?? []);
    this.held = undefined;
    const { skip, notice } = alignReplay({
      stream: this.stream,
      delivered: this.cursor.deliveredBytes(this.stream),
      history: this.cursor.history(this.stream),
      ringBytes: this.cursor.ringBytes,
      replay,
      ended,
    });
    if (notice !== undefined) this.subscriber.next(notice);
    if (skip < replay.length) this.deliver(replay.subarray(skip));
  }

  private deliver(data: Uint8Array): void {
    this.cursor.record(this.stream, data);
    this.subscriber.next({ type: this.stream, data });
  }
}
