import type { NoticeEvent } from '../events.js';
import type { OutputStream } from '../protocol/types.js';
import { overlapUnknown, wrappedPast } from './notices.js';
import { bytesEqual, smallestPeriod, suffixPrefixOverlaps } from './overlap.js';
import { isDistinctOverlap } from './trust.js';

/** What is known when the first frame of a stream arrives on an attach to a `chunks` server. */
export interface ChunkReplay {
  readonly stream: OutputStream;
  /** Bytes of this stream delivered so far (all attaches); more than 0. */
  readonly delivered: number;
  /** The last `min(delivered, ringBytes)` delivered bytes. */
  readonly history: Uint8Array;
  /** Lengths of the delivered chunks that lie wholly in `history`, oldest first. */
  readonly lengths: readonly number[];
  /** The length of the newest delivered chunk, even one larger than the history. */
  readonly newestLength: number;
  /** The frame: the oldest chunk the server still stores, or a new one. */
  readonly first: Uint8Array;
}

/**
 * What to do with a `chunks` replay:
 * - `run`: the first frame is delivered chunk k; the next frames must be exactly `expected`
 *   (chunks k+1 … n, the newest delivered last) and are skipped; every frame after them is new.
 *   `bytes`: how far back the run starts, from chunk k to the last delivered byte.
 * - `drain-run`: in a drain, a `run` from the stream's first chunk that content cannot prove; the
 *   backlog's size at the exit frame decides (see `skipReplayed`).
 * - `deliver`: every frame is delivered from the first on, after the notice.
 */
export type ChunkPlan =
  | { readonly kind: 'run' | 'drain-run'; readonly expected: readonly Uint8Array[]; readonly bytes: number }
  | { readonly kind: 'deliver'; readonly notice: NoticeEvent };

/**
 * Plans a `boxlite serve` replay at its first frame, with no waiting: the server resends whole
 * stored chunks, oldest first, the same chunks the client saw live.
 *
 * Invariant: frames are skipped only along a run of delivered chunks whose bytes are a distinct
 * overlap (`isDistinctOverlap`) starting at the one delivered chunk the first frame equals.
 * Nothing else proves where the backlog starts: it drops whole chunks, so even a backlog shorter
 * than the buffer may have dropped some, and a new chunk can equal a delivered one (heartbeats,
 * `yes`, a loop). A drain (the process ended, so the exit frame follows the whole backlog) has one
 * more proof: a run from the stream's very first chunk, not periodic, in a backlog that with its
 * largest chunk still fits in the buffer (`drain-run`): then no chunk was dropped, unless one
 * larger than any seen was. Anything else is delivered whole after a notice.
 *
 * | the first frame | the plan |
 * |---|---|
 * | equals exactly one delivered chunk, and the run from it is a distinct overlap | `run` |
| … the stream's first chunk, the run short but not periodic, in a drain | `drain-run` |
 * | equals several delivered chunks, or the run is short or periodic | `deliver`, `replay-overlap-unknown` |
 * | equals no delivered chunk | `deliver`, `output-lost`; `replay-overlap-unknown` if it starts with delivered bytes (a ring replay) or is the newest delivered chunk, too large to retain, again |
 */
export function planChunkReplay(input: ChunkReplay, drain = false): ChunkPlan {
  const { stream, delivered, history, lengths, first } = input;
  const chunks = sliceChunks(history, lengths);
  const candidates = chunks.flatMap((chunk, index) => (bytesEqual(chunk, first) ? [index] : []));
  const [only, ...others] = candidates;
  if (only === undefined) {
    if (mayRepeatNewest(input)) return { kind: 'deliver', notice: overlapUnknown(stream, first.length) };
    // Not a stored chunk, yet it may start with delivered bytes (a server that replays a ring):
    // then it repeats them, and the notice must say so.
    const overlap = suffixPrefixOverlaps(history, first)[0];
    return { kind: 'deliver', notice: overlap === undefined ? wrappedPast(stream, delivered) : overlapUnknown(stream, overlap) };
  }
  const bytes = history.length - offsetOf(history, lengths, only);
  const expected = chunks.slice(only + 1);
  if (others.length === 0 && isDistinctOverlap(history, bytes)) return { kind: 'run', expected, bytes };
  const fromStreamStart = only === 0 && bytes === delivered;
  if (drain && others.length === 0 && fromStreamStart && smallestPeriod(history) * 2 > history.length) {
    return { kind: 'drain-run', expected, bytes };
  }
  return { kind: 'deliver', notice: overlapUnknown(stream, bytes) };
}

/**
 * Whether the first frame may be the newest delivered chunk, too large to be retained: the server
 * keeps its newest chunk whole even past the buffer, so it would come again.
 */
function mayRepeatNewest({ first, history, newestLength }: ChunkReplay): boolean {
  return first.length === newestLength && first.length > history.length && bytesEqual(first.subarray(first.length - history.length), history);
}

/** The retained chunks as views of the history (they make up its tail). */
function sliceChunks(history: Uint8Array, lengths: readonly number[]): Uint8Array[] {
  let offset = offsetOf(history, lengths, 0);
  return lengths.map((length) => {
    const chunk = history.subarray(offset, offset + length);
    offset += length;
    return chunk;
  });
}

/** Where retained chunk `index` starts in the history. */
function offsetOf(history: Uint8Array, lengths: readonly number[], index: number): number {
  let after = 0;
  for (let i = index; i < lengths.length; i += 1) after += lengths[i] ?? 0;
  return history.length - after;
}
