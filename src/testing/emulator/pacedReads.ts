/**
 * How a real runner reads a command's output: the guest pump reads 1 KiB at a time (docs/protocol.md
 * §7, frames of 1025 bytes), at most about 5 MB/s per stream (the upstream runner's measured pace),
 * and a faster producer is held back by its pipe. Measured there: 200 MiB of `head -c` reached a
 * raw `ws` client, the library and the CLI with 0 bytes lost. The emulator's writer is slower than
 * the runner's, so by default while a client is attached a read also waits for room in its queue
 * (256 chunks): a client that keeps up loses nothing here either, and a client that stops reading
 * holds the command back, where the runner would drop. The options `processQueueFull: 'drop'` (no
 * `room`: a full queue drops the chunk, as the runner does) and `processReadsPerMs` (the pace, or
 * `'unpaced'`) model a producer faster than any client.
 */

import type { Readable } from 'node:stream';
import { Subscription, timer } from 'rxjs';

/** One read of the guest pump: 1 KiB. */
export const READ_BYTES = 1024;
/** Reads per millisecond and stream by default: about 5 MB/s. */
export const READS_PER_MS = 5;

/** A stream read at the pump's pace; `resume` after the attached client's queue freed room. */
export interface PacedReads extends Subscription {
  resume(): void;
}

/**
 * Reads `stream` {@link READ_BYTES} at a time, at most `readsPerMs` reads a millisecond (`Infinity`:
 * whatever is buffered, at once) and, while `room()` is defined (a client attached, its queue
 * pacing the reads), no more reads than it allows; hands each read to `emit`. Unsubscribe to stop.
 */
export function pacedReads(stream: Readable, room: () => number | undefined, emit: (chunk: Buffer) => void, readsPerMs = READS_PER_MS): PacedReads {
  const subscription = new Subscription();
  /** A timer or the queue's room is awaited: 'readable' need not start the pump. */
  let waiting: 'timer' | 'room' | undefined;
  const pump = (): void => {
    waiting = undefined;
    for (let reads = 0; reads < readsPerMs; reads += 1) {
      if ((room() ?? 1) <= 0) {
        waiting = 'room';
        return;
      }
      const chunk = (stream.read(READ_BYTES) ?? stream.read()) as Buffer | null;
      // Nothing buffered: the next 'readable' starts the pump again.
      if (chunk === null) return;
      emit(chunk);
    }
    waiting = 'timer';
    subscription.add(timer(1).subscribe(pump));
  };
  // A 'readable' listener stays on for the stream's life: without one, Node resumes a child's
  // paused stdio when the process exits (flushStdio), and unread output would flow to nobody.
  const readable = (): void => {
    if (waiting === undefined) pump();
  };
  stream.on('readable', readable);
  subscription.add(() => stream.removeListener('readable', readable));
  return Object.assign(subscription, {
    resume(): void {
      if (waiting === 'room' && !subscription.closed) pump();
    },
  });
}
