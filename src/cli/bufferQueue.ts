/** The most buffers handed to one `writev` (Linux's IOV_MAX). */
const MAX_BUFFERS_PER_WRITE = 1024;

/** What a slot holds once its buffer has left: nothing that keeps the buffer's memory alive. */
const SPENT = new Uint8Array(0);

/**
 * Buffers waiting for a `writev`, oldest first, with their byte count: batches leave from the
 * front, and what a partial write left goes back to the front, in constant time per buffer.
 */
export class BufferQueue {
  private buffers: Uint8Array[] = [];
  /** The index of the oldest waiting buffer; the slots before it are spent. */
  private head = 0;
  /** Bytes waiting. */
  bytes = 0;

  /** Buffers waiting. */
  get length(): number {
    return this.buffers.length - this.head;
  }

  push(bytes: Uint8Array): void {
    this.buffers.push(bytes);
    this.bytes += bytes.length;
  }

  /** Takes up to `MAX_BUFFERS_PER_WRITE` of the oldest buffers off the queue; their slots let go of them. */
  takeBatch(): Uint8Array[] {
    const batch = this.buffers.slice(this.head, this.head + MAX_BUFFERS_PER_WRITE);
    this.buffers.fill(SPENT, this.head, this.head + batch.length);
    this.head += batch.length;
    for (const bytes of batch) this.bytes -= bytes.length;
    if (this.head > MAX_BUFFERS_PER_WRITE && this.head * 2 > this.buffers.length) {
      this.buffers = this.buffers.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** Puts what a `writev` of `batch` did not write (it wrote `written` bytes) back at the front. */
  putBack(batch: readonly Uint8Array[], written: number): void {
    const rest = unwritten(batch, written);
    if (rest.length > this.head) {
      this.buffers = [...rest, ...this.buffers.slice(this.head)];
      this.head = 0;
    } else {
      this.head -= rest.length;
      rest.forEach((bytes, i) => {
        this.buffers[this.head + i] = bytes;
      });
    }
    for (const bytes of rest) this.bytes += bytes.length;
  }

  clear(): void {
    this.buffers = [];
    this.head = 0;
    this.bytes = 0;
  }
}

/** What a `writev` of `batch` that wrote `written` bytes left: the tail of the batch, its first buffer cut. */
function unwritten(batch: readonly Uint8Array[], written: number): Uint8Array[] {
  let skip = written;
  let index = 0;
  while (index < batch.length && skip >= (batch[index] as Uint8Array).length) {
    skip -= (batch[index] as Uint8Array).length;
    index += 1;
  }
  const rest = batch.slice(index);
  if (rest.length > 0) rest[0] = (rest[0] as Uint8Array).subarray(skip);
  return rest;
}
