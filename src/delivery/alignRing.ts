import type { NoticeEvent } from '../events.js';
import type { OutputStream } from '../protocol/types.js';
import { headMayBeMissing, overlapUnknown, wrappedPast } from './notices.js';
import { bytesEqual, suffixPrefixOverlaps } from './overlap.js';
import { isDistinctOverlap } from './trust.js';

/** What is known when the first frame of a stream arrives on an attach to a `ring` server. */
export interface RingReplay {
  readonly stream: OutputStream;
  /** Bytes of this stream delivered so far (all attaches). */
  readonly delivered: number;
  /** The last `min(delivered, ringBytes)` delivered bytes. */
  readonly history: Uint8Array;
  readonly ringBytes: number;
  /** The frame: the server's whole ring of this stream. */
  readonly replay: Uint8Array;
}

/** Skip the first `skip` bytes of the replay, after the notice if there is one. */
export interface RingAlignment {
  readonly skip: number;
  readonly notice?: NoticeEvent;
}

/**
 * Aligns a Go-runner replay at its first frame, with no waiting.
 *
 * Invariant: a replay shorter than the ring is the stream from byte 0, so its first `delivered`
 * bytes are skipped exactly; a full ring may have wrapped, and is aligned by content only where
 * `isDistinctOverlap` proves the overlap, otherwise it is delivered whole after a notice.
 *
 * | the replay | the result |
 * |---|---|
 * | nothing delivered yet, shorter than the ring | delivered whole |
 * | nothing delivered yet, a full ring | delivered whole, `output-lost`: older output may be missing |
 * | shorter than the ring, starts with every delivered byte | the delivered bytes skipped, exactly |
 * | a full ring, or not starting with the delivered bytes: a distinct overlap | the overlap skipped |
 * | … an overlap that chance could explain | delivered whole, `replay-overlap-unknown` |
 * | … no overlap | delivered whole, `output-lost`: the bytes in between are gone |
 *
 * A frame that only a `chunks` server explains (shorter than what the ring holds) never reaches
 * it: `provenShape` reads it first.
 */
export function alignRingReplay(input: RingReplay): RingAlignment {
  const { stream, delivered, history, replay, ringBytes } = input;
  const full = replay.length >= ringBytes;
  if (delivered === 0) return full ? { skip: 0, notice: headMayBeMissing(stream, ringBytes) } : { skip: 0 };
  if (!full && history.length === delivered && bytesEqual(replay.subarray(0, delivered), history)) return { skip: delivered };
  return alignByContent(input);
}

function alignByContent({ stream, delivered, history, replay }: RingReplay): RingAlignment {
  const longest = suffixPrefixOverlaps(history, replay)[0];
  if (longest === undefined) return { skip: 0, notice: wrappedPast(stream, delivered) };
  if (isDistinctOverlap(history, longest)) return { skip: longest };
  return { skip: 0, notice: overlapUnknown(stream, longest) };
}
