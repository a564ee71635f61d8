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
  /** Whether the attach ended (exit frame, cut or completion): no more bytes will come. */
  readonly ended: boolean;
  /**
   * Whether the replay is known to be complete: the exit frame followed it, or the burst in which
   * the server sends it went quiet. A complete replay shorter than a ring proves the ring had not
   * wrapped.
   */
  readonly settled: boolean;
}

/**
 * Bytes a replay must match the delivered bytes on before an alignment found by content is
 * trusted without a notice. Fewer can match by chance: one repeated UTF-8 lead byte is enough.
 */
const TRUSTED_OVERLAP_BYTES = 32;

/**
 * Finds where a replay starts relative to what was delivered.
 *
 * The server replays its ring from the start. While the ring has not wrapped, the replay starts at
 * byte 0 of the stream, so its first `delivered` bytes equal the delivered bytes: they are skipped
 * exactly (case A). Once the ring wrapped, the replay starts somewhere later; it is aligned where a
 * suffix of the history equals a prefix of the replay (case B). A wrapped ring may also have
 * dropped every byte after the delivered ones, and then any such match is chance:
 * - A while the replay is shorter than a ring: exact, no notice, once the replay is known complete
 *   (`settled`): a complete replay shorter than a ring cannot have wrapped. Before that the answer
 *   is `'undecided'`: a wrapped ring of periodic output (`yes`) can match from byte 0 too, and with
 *   one frame per stored chunk (`boxlite serve`) only the replay's full length tells them apart.
 *   The caller holds the bytes until a full ring came (then the rules below) or the replay settled.
 *   An attach cut before either delivers none of them: the next attach replays them again, and if
 *   there is none (a drain), the drain ends with its `drain-incomplete` notice.
 * - Exactly one overlap of at least `TRUSTED_OVERLAP_BYTES`: exact, no notice.
 * - Exactly one shorter overlap: it is skipped, with an `output-lost` notice: output before the
 *   replay may be missing (the match may be chance).
 * - Several overlaps (periodic output): the smallest is skipped, so at most the difference repeats,
 *   and a `replay-overlap-unknown` notice gives how many may repeat; it also says output may be
 *   missing, since periodic output matches by chance however long the match.
 * - No overlap: the ring wrapped past the last delivered byte: everything is delivered and an
 *   `output-lost` notice says bytes before the replay are missing.
 * An attach that ended or settled before enough bytes came, with a replay found inside the
 * history, has nothing new: it is skipped in full (nothing is recorded, so a later attach aligns
 * again).
 */
export function alignReplay(input: AlignInput): Alignment | 'undecided' {
  const { stream, delivered, history, replay, ringBytes } = input;
  const fromStart = delivered <= ringBytes && history.length === delivered;
  if ((input.ended || input.settled) && replay.length < history.length && indexOfBytes(history, replay) >= 0) {
    return { skip: replay.length };
  }
  const overlaps = suffixPrefixOverlaps(history, replay);
  const largest = overlaps[0];
  if (largest === undefined) {
    return {
      skip: 0,
      notice: notice(
        'output-lost',
        `${stream}: the server's ${ringBytes}-byte buffer wrapped while disconnected; output after byte ${delivered} before the replay is missing`,
        { stream },
      ),
    };
  }
  if (fromStart && largest === delivered && replay.length < ringBytes) {
    if (input.settled) return { skip: delivered };
    return input.ended ? { skip: replay.length } : 'undecided';
  }
  if (overlaps.length === 1) {
    if (largest >= TRUSTED_OVERLAP_BYTES) return { skip: largest };
    return {
      skip: largest,
      notice: notice(
        'output-lost',
        `${stream}: the replay matches the delivered output on only ${largest} bytes, too few to rule out that the server's ${ringBytes}-byte buffer wrapped past byte ${delivered}; output before the replay may be missing`,
        { stream },
      ),
    };
  }
  const smallest = overlaps.at(-1) ?? largest;
  return {
    skip: smallest,
    notice: notice(
      'replay-overlap-unknown',
      `${stream}: the replay could not be aligned exactly; up to ${largest - smallest} bytes may repeat, or output before the replay may be missing`,
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
