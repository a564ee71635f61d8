/**
 * The `boxlite serve` backlog of one output stream (docs/protocol.md §4): a deque of whole chunks.
 */

import type { OutputBacklog } from './backlog.js';
import { ChunkDeque } from './chunkDeque.js';

/**
 * A deque of whole output chunks bounded by `capacity` bytes, as `boxlite serve` keeps them.
 *
 * Invariant: it holds the longest suffix of the chunks pushed whose total is at most
 * `capacity`, or, when the newest chunk alone is larger, that chunk alone; every chunk is held
 * whole and unmodified (never split, copied or trimmed).
 *
 * While over the cap, a push drops whole chunks from the front, never the newest one. The replay
 * is one frame per stored chunk, so its first frame is a whole original chunk and a wrapped
 * backlog is usually shorter than `capacity`.
 *
 * @example
 * ```ts
 * const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
 * const backlog = new ChunkBacklog(8);
 * backlog.push(bytes('abcdef'));     // 0 dropped
 * backlog.push(bytes('ghijkl'));     // 6 dropped: 'abcdef' goes whole
 * backlog.replayFrames();            // ['ghijkl'] (as bytes)
 * backlog.push(bytes('0123456789')); // 6 dropped: '0123456789' is kept, though larger than 8
 * ```
 */
export class ChunkBacklog implements OutputBacklog {
  private readonly chunks = new ChunkDeque();

  /** @param capacity byte cap of the chunks kept (the newest chunk is kept even if larger). */
  constructor(readonly capacity: number) {}

  /** Bytes currently held (more than `capacity` only while the newest chunk alone is). */
  get byteLength(): number {
    return this.chunks.bytes;
  }

  /**
   * Appends one chunk, then drops whole chunks from the front while over the cap, keeping the newest.
   * @returns the number of bytes dropped.
   */
  push(data: Uint8Array): number {
    if (data.length === 0) return 0;
    this.chunks.push(data);
    let dropped = 0;
    while (this.chunks.bytes > this.capacity && this.chunks.count > 1) dropped += this.chunks.dropOldest();
    return dropped;
  }

  /** One frame per stored chunk, oldest first: the chunks themselves, as pushed. */
  replayFrames(): Uint8Array[] {
    return this.chunks.toArray();
  }
}
