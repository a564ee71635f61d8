import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { alignReplay } from '../delivery/alignReplay.js';
import { concatBytes } from '../delivery/concatBytes.js';
import type { ReplayCursor } from '../delivery/replayCursor.js';
import type { ExecEvent, OutputEvent } from '../events.js';
import type { OutputStream } from '../protocol/types.js';

/**
 * Drops the bytes a re-attach replays that an earlier attach already delivered, using a cursor
 * shared by every attach of one execution. Put it on each attach stream, before the streams meet.
 *
 * ```
 * cursor: delivered stdout "ab"
 * attach:   --"abc"--"d"--x|     the ring replayed from byte 0, then live output, then exit
 * result:   --------------("cd"x|)
 *
 * attach:   --"abc"----------"d"-    a reconnect to a running process; "d" after a quiet gap
 * result:   -----------------("c""d")-
 * ```
 *
 * On a stream that already delivered bytes, the first bytes of a new attach are held until there
 * are enough to align the replay (at most `ringBytes`, usually one frame), then aligned by
 * `alignReplay`: exact while the server's ring has not wrapped, by content after (a unique match of
 * 32 bytes or more), and otherwise with a `replay-overlap-unknown` or `output-lost` notice. Held
 * bytes are released before the exit event, an error or completion, so a cut during the replay
 * loses nothing. The cursor advances only as bytes are handed to the subscriber.
 *
 * A replay that matches from byte 0 but is shorter than a ring is held until it is known complete:
 * a full ring came (then it may have wrapped, and content decides), the exit frame came (a drain
 * is not delayed), or a frame came after `cursor.replaySettle` ms of quiet (the server sends the
 * ring as one burst, so that frame is live output). A wrapped ring of periodic output (`yes`) can
 * match from byte 0 too, and only the replay's length tells them apart. After a reconnect to a
 * running process, the bytes it wrote while away therefore show with its next output. An attach
 * cut while bytes are held delivers none of them: the next attach replays them.
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
      const release = (settled: boolean): void => {
        segments.stdout.release(settled);
        segments.stderr.release(settled);
      };
      const subscription = source.subscribe({
        next(event) {
          if (event.type === 'stdout' || event.type === 'stderr') {
            segments[event.type].push(event);
            return;
          }
          if (event.type === 'exit') release(true);
          subscriber.next(event);
        },
        error(error: unknown) {
          release(false);
          subscriber.error(error);
        },
        complete() {
          release(true);
          subscriber.complete();
        },
      });
      return subscription;
    });
}

/** One stream of one attach: live, or holding its first bytes until they can be aligned. */
class SegmentStream {
  private held: Uint8Array[] | undefined;
  private heldBytes = 0;
  private needed: number;
  /** Whether the held replay matched from byte 0 and waits to be known complete. */
  private undecided = false;
  /** When the last byte was held (scheduler time). */
  private heldAt = 0;

  constructor(
    private readonly cursor: ReplayCursor,
    private readonly stream: OutputStream,
    private readonly subscriber: Subscriber<ExecEvent>,
  ) {
    const delivered = cursor.deliveredBytes(stream);
    this.needed = Math.min(delivered, cursor.ringBytes);
    if (delivered > 0) this.held = [];
  }

  push(event: OutputEvent): void {
    const { held } = this;
    if (held === undefined) {
      this.cursor.record(this.stream, event.data);
      this.subscriber.next(event);
      return;
    }
    const chunk = event.data;
    const now = asyncScheduler.now();
    if (this.undecided && now - this.heldAt >= this.cursor.replaySettle) {
      // A frame after a quiet gap is live output: the replay burst before it was complete.
      this.align(false, true);
      this.push(event);
      return;
    }
    held.push(chunk);
    this.heldBytes += chunk.length;
    this.heldAt = now;
    if (this.heldBytes >= this.needed) this.align(false, false);
  }

  /** The attach is ending (`settled`: with its exit frame, so the replay was complete). */
  release(settled: boolean): void {
    if (this.held !== undefined && this.heldBytes > 0) this.align(true, settled);
  }

  private align(ended: boolean, settled: boolean): void {
    const replay = concatBytes(this.held ?? []);
    const alignment = alignReplay({
      stream: this.stream,
      delivered: this.cursor.deliveredBytes(this.stream),
      history: this.cursor.history(this.stream),
      ringBytes: this.cursor.ringBytes,
      replay,
      ended,
      settled,
    });
    if (alignment === 'undecided') {
      this.held = [replay];
      this.needed = this.cursor.ringBytes;
      this.undecided = true;
      return;
    }
    this.held = undefined;
    this.undecided = false;
    if (alignment.notice !== undefined) this.subscriber.next(alignment.notice);
    if (alignment.skip < replay.length) this.deliver(replay.subarray(alignment.skip));
  }

  private deliver(data: Uint8Array): void {
    this.cursor.record(this.stream, data);
    this.subscriber.next({ type: this.stream, data });
  }
}
