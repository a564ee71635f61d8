/** A chunk this long or longer is kept as it was delivered; a shorter one is copied into a block. */
const KEEP_AS_IS = 512;

/** The size of a block that short chunks are copied into. */
const BLOCK = 4096;

/**
 * The last `capacity` bytes delivered on one stream, kept so that a replay that may have wrapped
 * can be aligned by content; a `snapshot` is made only when a replay is aligned. A chunk of at
 * least 512 bytes is kept as it was delivered, without a copy (the bytes the subscriber got: not
 * to be written into), so that the history costs no work per byte of a fast stream; shorter ones
 * are copied into 4 KiB blocks, so that a stream of tiny chunks holds a few blocks, not a view per
 * chunk. Memory grows with the output, up to `capacity` and the chunk or block that holds the
 * oldest byte kept.
 */
export class ByteHistory {
  /** Appends a chunk. */
  readonly write: (chunk: Uint8Array) => void;
  /** The last `size` bytes as one contiguous copy. */
  readonly snapshot: () => Uint8Array;

  /** Its state lives in the constructor's closure: no property name of it reaches a bundle. */
  constructor(capacity: number) {
    /** What is kept, oldest first: chunks as delivered, and closed blocks (their filled part). */
    let parts: Uint8Array[] = [];
    /** The block that short chunks are copied into now, and how much of it is filled. */
    let block: Uint8Array | undefined;
    let filled = 0;
    /** Bytes in `parts` and the block. */
    let held = 0;
    const close = (): void => {
      if (block && filled > 0) parts.push(block.subarray(0, filled));
      block = undefined;
    };
    this.write = (chunk) => {
      const length = chunk.length;
      if (capacity === 0 || length === 0) return;
      if (length >= KEEP_AS_IS) {
        close();
        parts.push(chunk);
      } else {
        if (!block || filled + length > BLOCK) {
          close();
          block = new Uint8Array(BLOCK);
          filled = 0;
        }
        block.set(chunk, filled);
        filled += length;
      }
      held += length;
      // Drop what lies wholly before the last `capacity` bytes.
      while (parts.length > 0 && held - (parts[0] as Uint8Array).length >= capacity) held -= (parts.shift() as Uint8Array).length;
    };
    this.snapshot = () => {
      const out = new Uint8Array(Math.min(held, capacity));
      let skip = held - out.length;
      let at = 0;
      for (const part of block ? [...parts, block.subarray(0, filled)] : parts) {
        if (skip >= part.length) skip -= part.length;
        else {
          out.set(skip > 0 ? part.subarray(skip) : part, at);
          at += part.length - skip;
          skip = 0;
        }
      }
      return out;
    };
  }

  /** How many bytes are held: `min(total written, capacity)` (a snapshot's length). */
  get size(): number {
    return this.snapshot().length;
  }
}
