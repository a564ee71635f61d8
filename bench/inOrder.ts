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

/**
 * Checks the arriving bytes against `expected`: a chunk that continues where the last one matched is
 * compared at once (the usual case, nothing lost); after a gap, the match goes on greedily, byte by
 * byte, which decides a subsequence exactly.
 */
export function inOrder(expected: Buffer): InOrder {
  /** The position in `expected` after the last byte matched. */
  let at = 0;
  let received = 0;
  let ok = true;
  return {
    data(chunk) {
      received += chunk.length;
      if (!ok) return;
      if (Buffer.compare(chunk, expected.subarray(at, at + chunk.length)) === 0) {
        at += chunk.length;
        return;
      }
      for (const byte of chunk) {
        at = expected.indexOf(byte, at);
        if (at < 0) {
          ok = false;
          return;
        }
        at += 1;
      }
    },
    get ok() {
      return ok;
    },
    get missing() {
      return expected.length - received;
    },
  };
}
