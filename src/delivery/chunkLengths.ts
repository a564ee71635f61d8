/**
 * The lengths of the newest delivered chunks (frames) of one stream whose bytes all lie within the
 * last `capacity` delivered bytes, oldest first. A `boxlite serve` replay resends whole stored
 * chunks, so these are the boundaries its frames can match.
 */
export class ChunkLengths {
  private lengths: number[] = [];
  private start = 0;
  private retained = 0;
  private newestLength = 0;

  constructor(readonly capacity: number) {}

  /** Records one delivered chunk, forgetting those that no longer lie wholly within `capacity` bytes. */
  push(length: number): void {
    if (length === 0) return;
    this.newestLength = length;
    this.lengths.push(length);
    this.retained += length;
    while (this.retained > this.capacity) {
      this.retained -= this.lengths[this.start] ?? 0;
      this.start += 1;
    }
    if (this.start > 1024 && this.start * 2 > this.lengths.length) {
      this.lengths = this.lengths.slice(this.start);
      this.start = 0;
    }
  }

  /** The retained lengths, oldest first (a copy). */
  snapshot(): number[] {
    return this.lengths.slice(this.start);
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
