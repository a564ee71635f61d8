/**
 * Whether what arrived is what was written with some bytes left out: a subsequence, in order, no
 * byte repeated or reordered. Where a server dropped chunks in silence no client can know which,
 * so this is what can be checked of such a run; `missing` (bytes written but never received) must
 * then equal what the server says it dropped.
 */

/** A streaming check of the bytes that arrive against the bytes `expected` written. */
export interface InOrder {
  /** Feeds bytes as they arrive. */
  data(chunk: Uint8Array): void;
  /** Whether everything fed so far is a subsequence of `expected`. */
  readonly ok: boolean;
  /** Bytes of `expected` not received (all of its length minus what arrived). */
  readonly missing: number;
}

/** Bytes after a gap that locate where the received bytes go on (more than two log lines). */
const WINDOW = 256;

/** The length of the longest common prefix of `a` and `b`. */
function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  if (Buffer.compare(a.subarray(0, length), b.subarray(0, length)) === 0) return length;
  let n = 0;
  while (a[n] === b[n]) n += 1;
  return n;
}

/**
 * Checks the arriving bytes against `expected`, keeping `at`, a place in `expected` the bytes so far
 * fit into: bytes that continue there are compared at once (the usual case, nothing lost). After a
 * gap, the next {@link WINDOW} bytes are looked for further on and the match goes on from there; where
 * they are not found (a gap inside them), one byte is matched at its next occurrence (greedily, which
 * never misses a subsequence) and the search is tried again. Every step fits what arrived into
 * `expected` in order, so `ok` is never true for bytes repeated or reordered.
 */
export function inOrder(expected: Buffer): InOrder {
  let at = 0;
  let received = 0;
  let ok = true;
  const data = (chunk: Uint8Array): void => {
    let from = 0;
    while (from < chunk.length) {
      const rest = chunk.subarray(from);
      const matched = commonPrefix(rest, expected.subarray(at));
      if (matched > 0) {
        at += matched;
        from += matched;
        continue;
      }
      const found = expected.indexOf(rest.subarray(0, WINDOW), at);
      if (found >= 0) {
        at = found;
        continue;
      }
      at = expected.indexOf(rest[0] as number, at);
      if (at < 0) {
        ok = false;
        return;
      }
      at += 1;
      from += 1;
    }
  };
  return {
    data(chunk) {
      received += chunk.length;
      if (ok) data(chunk);
    },
    get ok() {
      return ok;
    },
    get missing() {
      return expected.length - received;
    },
  };
}
