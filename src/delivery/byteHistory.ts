/** The buffer before any write: a stream that never writes allocates none. */
const NO_BYTES = /* @__PURE__ */ new Uint8Array(0);

/**
 * The last `capacity` bytes delivered on one stream, kept so that a replay that may have wrapped
 * can be aligned by content. Memory grows with the output, up to `capacity`.
 */
export class ByteHistory {
  /** Appends a chunk (copied). */
  readonly write: (chunk: Uint8Array) => void;
  /** The last `size` bytes as one contiguous copy. */
  readonly snapshot: () => Uint8Array;

  /** Its state lives in the constructor's closure: no property name of it reaches a bundle. */
  constructor(capacity: number) {
    let buffer = NO_BYTES;
    /** Bytes written in all; the newest byte is at `(total - 1) % capacity` once full. */
    let total = 0;
    const grow = (size: number): void => {
      const next = new Uint8Array(size);
      next.set(buffer.subarray(0, total));
      buffer = next;
    };
    this.write = (chunk) => {
      if (capacity === 0 || chunk.length === 0) return;
      const needed = total + chunk.length;
      if (needed <= capacity) {
        if (needed > buffer.length) grow(Math.min(capacity, Math.max(needed, buffer.length * 2, 4096)));
        buffer.set(chunk, total);
        total = needed;
        return;
      }
      if (buffer.length < capacity) grow(capacity);
      // Circular from here: only the last `capacity` bytes of the chunk can be kept.
      const data = chunk.length > capacity ? chunk.subarray(chunk.length - capacity) : chunk;
      const start = (total + chunk.length - data.length) % capacity;
      const first = capacity - start;
      if (data.length <= first) {
        buffer.set(data, start);
      } else {
        buffer.set(data.subarray(0, first), start);
        buffer.set(data.subarray(first), 0);
      }
      total += chunk.length;
    };
    this.snapshot = () => {
      const size = Math.min(total, capacity);
      if (total <= capacity) return buffer.slice(0, size);
      const start = total % capacity;
      const out = new Uint8Array(size);
      out.set(buffer.subarray(start, capacity), 0);
      out.set(buffer.subarray(0, start), capacity - start);
      return out;
    };
  }

  /** How many bytes are held: `min(total written, capacity)` (a snapshot's length). */
  get size(): number {
    return this.snapshot().length;
  }
}
