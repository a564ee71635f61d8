/**
 * The chunks an output store holds, oldest first, with their byte total: appended at the back,
 * dropped or trimmed at the front, never copied. Both stores (`OutputRing`, `ChunkBacklog`) keep
 * their chunks here and differ only in how they evict.
 */
export class ChunkDeque {
  private chunks: Uint8Array[] = [];
  private start = 0;
  private total = 0;

  /** Bytes held in all. */
  get bytes(): number {
    return this.total;
  }

  /** How many chunks are held. */
  get count(): number {
    return this.chunks.length - this.start;
  }

  /** The oldest chunk, if any. */
  get oldest(): Uint8Array | undefined {
    return this.chunks[this.start];
  }

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Drops the oldest chunk whole; returns its length (0 when empty). */
  dropOldest(): number {
    const oldest = this.chunks[this.start];
    if (oldest === undefined) return 0;
    this.start += 1;
    this.total -= oldest.length;
    if (this.start > 1024 && this.start * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.start);
      this.start = 0;
    }
    return oldest.length;
  }

  /** Drops the first `bytes` bytes of the oldest chunk (fewer than its length), keeping a view of the rest. */
  trimOldest(bytes: number): void {
    const oldest = this.chunks[this.start];
    if (oldest === undefined) return;
    this.chunks[this.start] = oldest.subarray(bytes);
    this.total -= bytes;
  }

  /** Empties the deque. */
  clear(): void {
    this.chunks = [];
    this.start = 0;
    this.total = 0;
  }

  /** The chunks, oldest first (a new array of the same views). */
  toArray(): Uint8Array[] {
    return this.chunks.slice(this.start);
  }
}
