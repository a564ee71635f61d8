import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writev, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, timer, type Observable } from 'rxjs';

/** The most buffers handed to one `writev` (Linux's IOV_MAX). */
const MAX_BUFFERS_PER_WRITE = 1024;
/** How much of the spill file is read back per write. */
const SPILL_READ_BYTES = 1 << 20;
/** How long to wait before writing again to a descriptor that said EAGAIN (a non-blocking pipe). */
const RETRY_AGAIN_MS = 5;

/** Where bytes beyond the memory bound wait: a temporary file, unlinked as soon as it is open. */
interface SpillFile {
  readonly fd: number;
  /** Bytes appended so far; the file's unread bytes are `[readAt, writeAt)`. */
  writeAt: number;
  readAt: number;
}

/** Writes all of `bytes` to `fd` at `position`, looping over partial writes. */
function writeAllSync(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Opens an anonymous temporary file: it has no name from the start, so no way out leaves it behind. */
function openSpillFile(): SpillFile {
  const dir = mkdtempSync(join(tmpdir(), 'boxlite-rx-'));
  const path = join(dir, 'output');
  try {
    const fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    return { fd, writeAt: 0, readAt: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The output side of one of the CLI's standard streams, which never blocks reading the socket.
 *
 * Node writes to a pipe synchronously on Linux: a reader that does not read (`| (sleep 5; wc -c)`)
 * would stop the event loop, the socket would not be read, and the server would drop output. This
 * queue hands bytes to the descriptor with asynchronous `writev` calls (one at a time, in order,
 * coalescing what arrived meanwhile), keeps up to `memoryBytes` waiting in memory and appends the
 * rest to an anonymous temporary file, read back in order once memory is empty.
 *
 * ```text
 * write:   --a--b--c--d--e-------------|
 * memory:    [a][a b]                      (bound reached at c)
 * file:            [c][c d][c d e]
 * fd:      ------------a b---c d e----|    (the reader woke up)
 * ```
 */
export class OutputQueue {
  /** Buffers waiting in memory, oldest first, from index `head` on. */
  private pending: Uint8Array[] = [];
  private head = 0;
  /** Bytes in `pending` and in the write under way: what this queue holds in memory. */
  private heldBytes = 0;
  private writing = false;
  private spill: SpillFile | undefined;
  private error: NodeJS.ErrnoException | undefined;
  private closed = false;
  private waiters: (() => void)[] = [];
  private readonly failures = new Subject<NodeJS.ErrnoException>();

  /** The first error of the descriptor or of the spill file (EPIPE when the reader went away); nothing is written after it. */
  readonly failed: Observable<NodeJS.ErrnoException> = this.failures.asObservable();

  /**
   * @param fd the descriptor to write (1 or 2); left open.
   * @param memoryBytes how many bytes may wait in memory before the rest goes to a temporary file.
   */
  constructor(
    private readonly fd: number,
    private readonly memoryBytes: number,
  ) {}

  /** The error that stopped this queue, if any. */
  get failure(): NodeJS.ErrnoException | undefined {
    return this.error;
  }

  /** Bytes waiting in the temporary file. */
  get spilledBytes(): number {
    return this.spill === undefined ? 0 : this.spill.writeAt - this.spill.readAt;
  }

  /** Queues `chunk` (text as UTF-8) after everything queued before; never blocks on the reader. */
  write(chunk: Uint8Array | string): void {
    if (this.error !== undefined || this.closed) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (bytes.length === 0) return;
    if (this.spilledBytes > 0 || this.heldBytes + bytes.length > this.memoryBytes) {
      this.append(bytes);
    } else {
      this.pending.push(bytes);
      this.heldBytes += bytes.length;
    }
    this.pump();
  }

  /** Resolves once everything queued so far is written, or the queue failed or was closed. */
  flushed(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops what is still queued and closes the temporary file; the descriptor is left open. */
  close(): void {
    this.closed = true;
    this.dropPending();
    this.releaseSpill();
    this.settle();
  }

  private idle(): boolean {
    return this.error !== undefined || this.closed || (!this.writing && this.waiting() === 0 && this.spilledBytes === 0);
  }

  private append(bytes: Uint8Array): void {
    try {
      this.spill ??= openSpillFile();
      writeAllSync(this.spill.fd, bytes, this.spill.writeAt);
      this.spill.writeAt += bytes.length;
    } catch (error: unknown) {
      this.fail(error as NodeJS.ErrnoException);
    }
  }

  /** Moves the next piece of the temporary file into memory; the file is emptied once read. */
  private readBack(spill: SpillFile): void {
    const piece = Buffer.allocUnsafe(Math.min(SPILL_READ_BYTES, spill.writeAt - spill.readAt));
    let read = 0;
    while (read < piece.length) {
      const n = readSync(spill.fd, piece, read, piece.length - read, spill.readAt + read);
      if (n === 0) throw Object.assign(new Error('the output spill file ended early'), { code: 'EIO' });
      read += n;
    }
    spill.readAt += read;
    if (spill.readAt === spill.writeAt) {
      spill.readAt = 0;
      spill.writeAt = 0;
      ftruncateSync(spill.fd, 0);
    }
    this.pending.push(piece);
    this.heldBytes += piece.length;
  }

  private pump(): void {
    if (this.writing || this.error !== undefined || this.closed) return;
    if (this.waiting() === 0 && this.spill !== undefined && this.spilledBytes > 0) {
      try {
        this.readBack(this.spill);
      } catch (error: unknown) {
        this.fail(error as NodeJS.ErrnoException);
        return;
      }
    }
    if (this.waiting() === 0) {
      this.settle();
      return;
    }
    const batch = this.pending.slice(this.head, this.head + MAX_BUFFERS_PER_WRITE);
    this.head += batch.length;
    this.writing = true;
    writev(this.fd, batch, (error, written) => this.written(batch, error, written));
  }

  private written(batch: Uint8Array[], error: NodeJS.ErrnoException | null, written: number): void {
    this.writing = false;
    if (this.closed) return;
    if (error !== null && error.code === 'EAGAIN') {
      this.putBack(batch);
      this.writing = true;
      timer(RETRY_AGAIN_MS).subscribe(() => {
        this.writing = false;
        this.pump();
      });
      return;
    }
    if (error !== null) {
      this.fail(error);
      return;
    }
    this.heldBytes -= written;
    let skip = written;
    let index = 0;
    while (index < batch.length && skip >= (batch[index] as Uint8Array).length) {
      skip -= (batch[index] as Uint8Array).length;
      index += 1;
    }
    const rest = batch.slice(index);
    if (rest.length > 0) rest[0] = (rest[0] as Uint8Array).subarray(skip);
    this.putBack(rest);
    this.compact();
    this.pump();
  }

  /** Buffers in memory not yet handed to a write. */
  private waiting(): number {
    return this.pending.length - this.head;
  }

  /** Returns the unwritten tail of a batch to the front of the queue (the slots it was taken from). */
  private putBack(rest: readonly Uint8Array[]): void {
    this.head -= rest.length;
    rest.forEach((bytes, i) => {
      this.pending[this.head + i] = bytes;
    });
  }

  /** Forgets the written slots once they are most of the array, so it does not grow without end. */
  private compact(): void {
    if (this.head > MAX_BUFFERS_PER_WRITE && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  private dropPending(): void {
    this.pending = [];
    this.head = 0;
    this.heldBytes = 0;
  }

  private fail(error: NodeJS.ErrnoException): void {
    if (this.error !== undefined) return;
    this.error = error;
    this.dropPending();
    this.releaseSpill();
    this.failures.next(error);
    this.failures.complete();
    this.settle();
  }

  private releaseSpill(): void {
    if (this.spill === undefined) return;
    closeSync(this.spill.fd);
    this.spill = undefined;
  }

  private settle(): void {
    if (!this.idle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
