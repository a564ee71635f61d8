import { indexOfBytes, smallestPeriod } from './overlap.js';

/**
 * The shortest overlap found by content that is taken as the truth. Chosen from measurement over
 * realistic output (docs/delivery.md): chance overlaps of log lines that share long endings stay
 * within a line or two, far below it.
 */
export const TRUSTED_OVERLAP_BYTES = 4096;

/**
 * Whether the last `length` delivered bytes, found again at the start of a replay, prove where
 * the replay starts: they are at least `TRUSTED_OVERLAP_BYTES` long, not periodic (`yes`,
 * heartbeats and padding repeat at every shift of their period), and occur nowhere else in the
 * delivered history (a block printed twice, such as a stack trace, would match at either copy).
 *
 * @param history The last delivered bytes of one stream (up to a ring).
 * @param length The overlap: a length of the history's tail.
 */
export function isDistinctOverlap(history: Uint8Array, length: number): boolean {
  if (length < TRUSTED_OVERLAP_BYTES || length > history.length) return false;
  const tail = history.subarray(history.length - length);
  if (smallestPeriod(tail) * 2 <= length) return false;
  return indexOfBytes(history, tail) === history.length - length;
}
