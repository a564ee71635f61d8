/** Slots the ring gets at the first chunk; it doubles when full (one slot per retained chunk). */
const INITIAL_SLOTS = 16;

/**
 * The lengths of the newest delivered chunks (frames) of one stream whose bytes all lie within the
 * last `capacity` delivered bytes, oldest first. A `boxlite serve` replay resends whole stored
 * chunks, so these are the boundaries its frames can match.
 *
 * Kept in a ring (a plain array: small ones cost less to allocate than a typed array, and one is
 * made per stream and execution) that only grows, to at most one slot per byte of `capacity`, for
 * 1-byte chunks: `push` runs once per delivered frame, so it neither allocates nor copies.
 */
export class ChunkLengths {
  /** Records one delivered chunk, forgetting those that no longer lie wholly within `capacity` bytes. */
  readonly push: (length: number) => void;
  /** The retained lengths, oldest first (a copy). */
  readonly snapshot: () => number[];
  /** The length of the newest chunk, retained or not (0 before any); set by `push` only. */
  newest = 0;
  /** Bytes the retained chunks hold in all; set by `push` only. */
  bytes = 0;

  /** The ring lives in the constructor's closure: no property name of it reaches a bundle. */
  constructor(capacity: number) {
    let ring: number[] = [];
    /** The slot of the oldest retained length. */
    let head = 0;
    let count = 0;
    this.snapshot = () => {
      const mask = ring.length - 1;
      const lengths: number[] = [];
      for (let i = 0; i < count; i += 1) lengths.push(ring[(head + i) & mask] as number);
      return lengths;
    };
    this.push = (length) => {
      if (length === 0) return;
      this.newest = length;
      if (count === ring.length) {
        const next = this.snapshot();
        const slots = Math.max(INITIAL_SLOTS, ring.length * 2);
        while (next.length < slots) next.push(0);
        ring = next;
        head = 0;
      }
      const mask = ring.length - 1;
      ring[(head + count) & mask] = length;
      count += 1;
      this.bytes += length;
      while (this.bytes > capacity) {
        this.bytes -= ring[head] as number;
        head = (head + 1) & mask;
        count -= 1;
      }
    };
  }
}
