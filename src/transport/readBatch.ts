import { asapScheduler } from 'rxjs';
import type { OutputEvent } from '../events.js';
import { STDERR_CHANNEL, STDOUT_CHANNEL, type OutputStream } from '../protocol/types.js';

/**
 * Frames with a larger payload go out alone: what joining saves is per-event work, and from a few
 * hundred bytes on the copy into the joined buffer costs more than that (1 KiB frames, the size
 * servers read, measured: docs/benchmarks.md, "Joined reads: which frames").
 */
export const JOIN_LIMIT = 256;

/** Payloads up to this length are copied byte by byte: cheaper than a view object per frame. */
const COPY_BY_LOOP = 64;

/** The output frames of one socket read, joined per stream. */
export interface ReadBatch {
  /**
   * Takes one binary frame (`[channel] ++ payload`). An output frame with a payload of at most
   * `JOIN_LIMIT` bytes joins the pending ones of its stream (another stream's pending frames go
   * out first) and `true` is returned; for any other frame the pending ones go out first and
   * `false` is returned: the caller decodes it.
   */
  readonly add: (frame: Uint8Array) => boolean;
  /** Hands the pending frames on now, as one event (before a text frame, an end, …). */
  readonly flush: () => void;
  /** Forgets the pending frames: the subscriber is gone. */
  readonly drop: () => void;
}

/**
 * Joins the output frames of one stream that arrive in one socket read into one event, handed to
 * `emit` in a microtask after the first of them (`asapScheduler`, so virtual time drives it; a
 * `ws` socket emits every frame of one read before any microtask runs), or at once by `flush`. One frame is passed on as a view of its
 * payload, as `decodeBinaryFrame` makes it; several as one copy that carries their lengths
 * (`OutputEvent.frames`), so replay alignment still sees every frame's boundary.
 *
 * ```
 * read:     (a b c)----(d)---(e X)     one socket read per group; X: a stderr frame
 * events:   ---(abc)------d----e-X     abc: one event, frames [1, 1, 1], in the read's microtask
 * ```
 */
export function readBatch(emit: (event: OutputEvent) => void): ReadBatch {
  let frames: Uint8Array[] = [];
  let channel = 0;
  let bytes = 0;
  let scheduled = false;
  const flush = (): void => {
    const count = frames.length;
    if (count === 0) return;
    const held = frames;
    frames = [];
    const type: OutputStream = channel === STDOUT_CHANNEL ? 'stdout' : 'stderr';
    const first = held[0] as Uint8Array;
    if (count === 1) {
      emit({ type, data: new Uint8Array(first.buffer, first.byteOffset + 1, first.length - 1) });
      return;
    }
    const data = new Uint8Array(bytes);
    const lengths: number[] = [];
    let at = 0;
    for (const frame of held) {
      const length = frame.length - 1;
      if (length <= COPY_BY_LOOP) {
        for (let i = 1; i <= length; i += 1) data[at + i - 1] = frame[i] as number;
      } else {
        data.set(new Uint8Array(frame.buffer, frame.byteOffset + 1, length), at);
      }
      at += length;
      lengths.push(length);
    }
    emit({ type, data, frames: lengths });
  };
  const later = (): void => {
    scheduled = false;
    flush();
  };
  return {
    add(frame) {
      const next = frame[0];
      if ((next !== STDOUT_CHANNEL && next !== STDERR_CHANNEL) || frame.length === 1 || frame.length > JOIN_LIMIT + 1) {
        flush();
        return false;
      }
      if (next !== channel) flush();
      if (frames.length === 0) {
        channel = next;
        bytes = 0;
      }
      frames.push(frame);
      bytes += frame.length - 1;
      if (!scheduled) {
        scheduled = true;
        asapScheduler.schedule(later);
      }
      return true;
    },
    flush,
    drop() {
      frames = [];
    },
  };
}
