/** The buffer before any write: a stream that never writes allocates none. */
const NO_BYTES = /* @__PURE__ */ new Uint8Array(0);

/**
 * The last `capacity` bytes delivered on one stream, kept so that a replay that may have wrapped
 * can be aligned by content. Memory grows with the output, up to `capacity`.
 */
export class ByteHistory {
  private buffer = NO_BYTES;
  /** Bytes written in all; the newest byte is at `(total - 1) % capacity` once full. */
  private total = 0;

  constructor(readonly capacity: number) {}

  /** Appends a chunk (copied). */
  write(chunk: Uint8Array): void {
    const { capacity } = this;
    if (capacity === 0 || chunk.length === 0) return;
    const needed = this.total + chunk.length;
    if (needed <= capacity) {
      if (needed > this.buffer.length) this.grow(Math.min(capacity, Math.max(needed, this.buffer.length * 2, 4096)));
      this.buffer.set(chunk, this.total);
      this.total = needed;
      return;
    }
    if (this.buffer.length < capacity) this.grow(capacity);
    this.writeCircular(chunk);
  }

  private grow(size: number): void {
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.total));
    this.buffer = next;
  }

  private writeCircular(chunk: Uint8Array): void {
    const { capacity } = this;
    const data = chunk.length > capacity ? chunk.subarray(chunk.length - capacity) : chunk;
    const skipped = chunk.length - data.length;
    const start = (this.total + skipped) % capacity;
    const first = capacity - start;
    if (data.length <= first) {
      this.buffer.set(data, start);
    } else {
      this.buffer.set(data.subarray(0, first), start);
      this.buffer.set(data.subarray(first), 0);
    }
    this.total += chunk.length;
  }

  /** How many bytes are held: `min(total written, capacity)`. */
  get size(): number {
    return Math.min(this.total, this.capacity);
  }

  /** The last `size` bytes as one contiguous copy. */
  snapshot(): Uint8Array {
    const { size, capacity } = this;
    if (this.total <= capacity) return this.buffer.slice(0, size);
    const start = this.total % capacity;
    const out = new Uint8Array(size);
    out.set(this.buffer.subarray(start, capacity), 0);
    out.set(this.buffer.subarray(0, start), capacity - start);
    return out;
  }
}
