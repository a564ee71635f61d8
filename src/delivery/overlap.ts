/**
 * Byte-string search, linear in the lengths (Knuth-Morris-Pratt): where a replay's start meets
 * the delivered tail, and whether a string repeats.
 */

/** `failure[i]`: the length of the longest proper border of `pattern[0..i]`. */
function failureTable(pattern: Uint8Array, length: number): Int32Array {
  const failure = new Int32Array(length);
  for (let i = 1, k = 0; i < length; i += 1) {
    while (k > 0 && pattern[i] !== pattern[k]) k = failure[k - 1] ?? 0;
    if (pattern[i] === pattern[k]) k += 1;
    failure[i] = k;
  }
  return failure;
}

/** Where `pattern` first occurs in `text`, or -1. */
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

/** Every length L ≥ 1 for which the last L bytes of `text` equal the first L bytes of `pattern`, longest first. */
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

/** The smallest p ≥ 1 with `bytes[i] === bytes[i + p]` for every i (the length itself when none is smaller). */
export function smallestPeriod(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const failure = failureTable(bytes, bytes.length);
  return bytes.length - (failure[bytes.length - 1] ?? 0);
}

/** Whether two byte arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
