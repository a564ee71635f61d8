import { notice, type NoticeEvent } from '../events.js';
import type { OutputStream } from '../protocol/types.js';

/** What to do with a re-attach's replay of one stream. */
export interface Alignment {
  /** How many bytes at the start of the replay were delivered already. */
  readonly skip: number;
  /** Set when the alignment is not certain, or output is missing. */
  readonly notice?: NoticeEvent;
}

/** What is known when a replay is aligned. */
export interface AlignInput {
  readonly stream: OutputStream;
  /** Bytes of this stream delivered so far (all attaches). */
  readonly delivered: number;
  /** The last `min(delivered, ringBytes)` delivered bytes. */
  readonly history: Uint8Array;
  /** The server's ring size. */
  readonly ringBytes: number;
  /** The start of the replay: at least `history.length` bytes unless the attach ended sooner. */
  readonly replay: Uint8Array;
  /** Whether the attach ended before that many bytes came. */
  readonly ended: boolean;
}

/**
 * Finds where a replay starts relative to what was delivered.
 *
 * The server replays its ring from the start. While the ring has not wrapped, the replay starts at
 * byte 0 of the stream, so its first `delivered` bytes equal the delivered bytes: they are skipped
 * exactly (case A). Once the ring wrapped, the replay starts somewhere later; it is aligned where a
 * suffix of the history equals a prefix of the replay (case B):
 * - A alone, or B with exactly one overlap: exact, no notice.
 * - A together with other overlaps while the replay is a full ring (`replay.length >= ringBytes`,
 *   so it may have wrapped), or B with several overlaps: the smallest overlap is skipped, so bytes
 *   may repeat but none is dropped, and a `replay-overlap-unknown` notice gives how many may repeat.
 * - B with no overlap: the ring wrapped past the last delivered byte: everything is delivered and
 *   an `output-lost` notice says bytes before the replay are missing.
 * An attach that ended before enough bytes came, with a replay found inside the history, has
 * nothing new: it is skipped in full.
 */
export function alignReplay(input: AlignInput): Alignment {
  const { stream, delivered, history, replay, ringBytes } = input;
  const fromStart = delivered <= ringBytes && history.length === delivered;
  if (input.ended && replay.length < history.length && indexOfBytes(history, replay) >= 0) {
    return { skip: replay.length };
  }
  const overlaps = suffixPrefixOverlaps(history, replay);
  const exact = fromStart && overlaps[0] === delivered;
  const smallest = overlaps.at(-1) ?? 0;
  if (exact && (overlaps.length === 1 || replay.length < ringBytes)) return { skip: delivered };
  if (!exact && overlaps.length === 1) return { skip: smallest };
  if (overlaps.length === 0) {
    return {
      skip: 0,
      notice: notice(
        'output-lost',
        `${stream}: the server's ${ringBytes}-byte buffer wrapped while disconnected; output after byte ${delivered} before the replay is missing`,
        { stream },
      ),
    };
  }
  const largest = overlaps[0] ?? 0;
  return {
    skip: smallest,
    notice: notice(
      'replay-overlap-unknown',
      `${stream}: the replay could not be aligned exactly; up to ${largest - smallest} bytes may repeat`,
      { stream, bytes: largest - smallest },
    ),
  };
}

function failureTable(pattern: Uint8Array, length: number): Int32Array {
  const failure = new Int32Array(length);
  for (let i = 1, k = 0; i < length; i += 1) {
    while (k > 0 && pattern[i] !== pattern[k]) k = failure[k - 1] ?? 0;
    if (pattern[i] === pattern[k]) k += 1;
    failure[i] = k;
  }
  return failure;
}

/** Where `pattern` first occurs in `text`, or -1 (Knuth-Morris-Pratt). */
export function indexOfBytes(text: Uint8Array, pattern: Uint8Array): number {
  const m = pattern.length;
  if (m === 0) return 0;
  const failure = failureTable(pattern, m);
  for (let i = 0, matched = 0; i < text.length; i += 1) {
    while (matched > 0 && text[i] !== pattern[matched]) matched = failure[matched - 1] ?? 0;
    if (text[i] === pattern[matched]) matched += 1;
    if (matched === m) return i - m + 1;
  }
  return -1;
}

/**
 * Every length L ≥ 1 for which the last L bytes of `text` equal the first L bytes of `pattern`,
 * longest first. Knuth-Morris-Pratt: linear in both lengths.
 */
export function suffixPrefixOverlaps(text: Uint8Array, pattern: Uint8Array): number[] {
  const m = Math.min(pattern.length, text.length);
  if (m === 0) return [];
  const failure = failureTable(pattern, m);
  let matched = 0;
  for (let i = text.length - m; i < text.length; i += 1) {
    while (matched > 0 && (matched === m || text[i] !== pattern[matched])) matched = failure[matched - 1] ?? 0;
    if (text[i] === pattern[matched]) matched += 1;
  }
  const lengths: number[] = [];
  for (let length = matched; length > 0; length = failure[length - 1] ?? 0) lengths.push(length);
  return lengths;
}
