import type { OutputBacklog } from './backlog.js';
import { ChunkDeque } from './chunkDeque.js';

/**
 * The Go runner's per-stream output ring (docs/protocol.md §4): it holds the last `capacity` bytes
 * written, dropping the oldest bytes on overflow, and replays them as ONE frame. Chunks are
 * stored as given (never copied, never mutated), and a partly dropped chunk is kept as a view of
 * its newest bytes.
 */
export class OutputRing implements OutputBacklog {
  private readonly chunks = new ChunkDeque();

  /** @param capacity maximum number of bytes kept. */
  constructor(readonly capacity: number) {}

  /** Bytes currently held. */
  get byteLength(): number {
    return this.chunks.bytes;
  }

  /**
   * Appends one chunk, dropping the oldest bytes if the ring overflows.
   * @returns the number of bytes dropped.
   */
  push(data: Uint8Array): number {
    if (data.length === 0) return 0;
    const dropped = Math.max(0, this.chunks.bytes + data.length - this.capacity);
    if (data.length >= this.capacity) {
      this.chunks.clear();
      this.chunks.push(data.subarray(data.length - this.capacity));
      return dropped;
    }
    let excess = dropped;
    while (excess > 0) {
      const oldest = this.chunks.oldest;
      if (oldest === undefined) break;
      if (oldest.length <= excess) {
        excess -= this.chunks.dropOldest();
      } else {
        this.chunks.trimOldest(excess);
        excess = 0;
      }
    }
    this.chunks.push(data);
    return dropped;
  }

  /** The stored chunks, oldest first (a new array of views). */
  snapshotChunks(): Uint8Array[] {
    return this.chunks.toArray();
  }

  /** One frame holding the whole ring, or none while it is empty. */
  replayFrames(): Uint8Array[] {
    return this.chunks.bytes === 0 ? [] : [this.snapshotBytes()];
  }

  /** All stored bytes as one array (empty when nothing is stored). */
  snapshotBytes(): Uint8Array {
    const out = new Uint8Array(this.chunks.bytes);
    let offset = 0;
    for (const chunk of this.chunks.toArray()) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
