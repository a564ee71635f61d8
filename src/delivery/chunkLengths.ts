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
  private ring: number[] = [];
  /** The slot of the oldest retained length. */
  private head = 0;
  private count = 0;
  private retained = 0;
  private newestLength = 0;

  constructor(readonly capacity: number) {}

  /** Records one delivered chunk, forgetting those that no longer lie wholly within `capacity` bytes. */
  push(length: number): void {
    if (length === 0) return;
    this.newestLength = length;
    if (this.count === this.ring.length) this.grow();
    const { ring } = this;
    const mask = ring.length - 1;
    ring[(this.head + this.count) & mask] = length;
    this.count += 1;
    this.retained += length;
    while (this.retained > this.capacity) {
      this.retained -= ring[this.head] as number;
      this.head = (this.head + 1) & mask;
      this.count -= 1;
    }
  }

  private grow(): void {
    const next = this.snapshot();
    const slots = Math.max(INITIAL_SLOTS, this.ring.length * 2);
    while (next.length < slots) next.push(0);
    this.ring = next;
    this.head = 0;
  }

  /** The retained lengths, oldest first (a copy). */
  snapshot(): number[] {
    const { ring, head, count } = this;
    const mask = ring.length - 1;
    const lengths: number[] = [];
    for (let i = 0; i < count; i += 1) lengths.push(ring[(head + i) & mask] as number);
    return lengths;
  }

  /** The length of the newest chunk, retained or not (0 before any). */
  get newest(): number {
    return this.newestLength;
  }

  /** Bytes the retained chunks hold in all. */
  get bytes(): number {
    return this.retained;
  }
}
