import type { OutputBacklog } from './backlog.js';

/**
 * The Go runner's per-stream output ring (PROTOCOL §4): it holds the last `capacity` bytes
 * written, dropping the oldest bytes on overflow, and replays them as ONE frame. Chunks are
 * stored as given (never copied, never mutated), and a partly dropped chunk is kept as a view of
 * its newest bytes.
 */
export class OutputRing implements OutputBacklog {
  private chunks: Uint8Array[] = [];
  private start = 0;
  private size = 0;

  /** @param capacity maximum number of bytes kept. */
  constructor(readonly capacity: number) {}

  /** Bytes currently held. */
  get byteLength(): number {
    return this.size;
  }

  /**
   * Appends one chunk, dropping the oldest bytes if the ring overflows.
   * @returns the number of bytes dropped.
   */
  push(data: Uint8Array): number {
    if (data.length === 0) return 0;
    if (data.length >= this.capacity) {
      const dropped = this.size + data.length - this.capacity;
      this.chunks = [data.subarray(data.length - this.capacity)];
      this.start = 0;
      this.size = this.capacity;
      return dropped;
    }
    let excess = this.size + data.length - this.capacity;
    const dropped = Math.max(0, excess);
    while (excess > 0) {
      const oldest = this.chunks[this.start];
      if (oldest === undefined) break;
      if (oldest.length <= excess) {
        this.start += 1;
        this.size -= oldest.length;
        excess -= oldest.length;
      } else {
        this.chunks[this.start] = oldest.subarray(excess);
        this.size -= excess;
        excess = 0;
      }
    }
    if (this.start > 1024 && this.start * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.start);
      this.start = 0;
    }
    this.chunks.push(data);
    this.size += data.length;
    return dropped;
  }

  /** The stored chunks, oldest first (a new array of views). */
  snapshotChunks(): Uint8Array[] {
    return this.chunks.slice(this.start);
  }

  /** One frame holding the whole ring, or none while it is empty. */
  replayFrames(): Uint8Array[] {
    return this.size === 0 ? [] : [this.snapshotBytes()];
  }

  /** All stored bytes as one array (empty when nothing is stored). */
  snapshotBytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (let i = this.start; i < this.chunks.length; i += 1) {
      const chunk = this.chunks[i] as Uint8Array;
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
