import { writev } from 'node:fs';
import { Subject, timer, type Observable } from 'rxjs';
import { BufferQueue } from './bufferQueue.js';
import { SpillFile } from './spillFile.js';

/** How much of the spill file is read back at a time, at most (and never more than the memory bound). */
const SPILL_READ_BYTES = 1 << 20;
/** How long to wait before writing again to a descriptor that said EAGAIN (a non-blocking pipe). */
const RETRY_AGAIN_MS = 5;

/**
 * The output side of one of the CLI's standard streams, which never blocks reading the socket.
 *
 * Node writes to a pipe synchronously on Linux: a reader that does not read (`| (sleep 5; wc -c)`)
 * would stop the event loop, the socket would not be read, and the server would drop output. This
 * queue hands bytes to the descriptor with asynchronous `writev` calls (one at a time, in order,
 * coalescing what arrived meanwhile; the first of them at the end of the tick a write came in, so
 * the frames of one socket read go out in one call, not one call each), keeps up to
 * `memoryBytes` waiting in memory and stores the rest in a temporary file (`SpillFile`,
 * asynchronous too), read back in order once memory is empty. Beyond the bound, memory holds only
 * what is on its way to the file (the disk's lag).
 *
 * ```text
 * write:   --a--b--c--d--e-------------|
 * memory:    [a][a b]                      (bound reached at c)
 * file:            [c][c d][c d e]
 * fd:      ------------a b---c d e----|    (the reader woke up)
 * ```
 */
export class OutputQueue {
  /** Bytes waiting in memory, older than any in the file. */
  private readonly pending = new BufferQueue();
  /** Bytes of the write under way. */
  private inFlight = 0;
  private writing = false;
  private readonly spill: SpillFile;
  private error: NodeJS.ErrnoException | undefined;
  private closed = false;
  private waiters: (() => void)[] = [];
  private readonly failures = new Subject<NodeJS.ErrnoException>();
  /** A pump is due at the end of this tick (a microtask): what arrives in one tick goes out in one write. */
  private pumpDue = false;

  /** The first error of the descriptor or of the spill file (EPIPE when the reader went away); nothing is written after it. */
  readonly failed: Observable<NodeJS.ErrnoException> = this.failures.asObservable();

  /**
   * @param fd the descriptor to write (1 or 2); left open.
   * @param memoryBytes how many bytes may wait in memory before the rest goes to a temporary file.
   * @param writeBuffers the write it makes (`fs.writev`; a test passes one that records its calls).
   */
  constructor(
    private readonly fd: number,
    private readonly memoryBytes: number,
    private readonly writeBuffers: typeof writev = writev,
  ) {
    this.spill = new SpillFile(
      () => this.pump(),
      (error) => this.fail(error),
    );
  }

  /** The error that stopped this queue, if any. */
  get failure(): NodeJS.ErrnoException | undefined {
    return this.error;
  }

  /** Bytes held by the temporary file (or on their way to it). */
  get spilledBytes(): number {
    return this.spill.size;
  }

  /** Queues `chunk` (text as UTF-8) after everything queued before; never blocks on the reader. */
  write(chunk: Uint8Array | string): void {
    if (this.error !== undefined || this.closed) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (bytes.length === 0) return;
    if (this.spill.busy || this.pending.bytes + this.inFlight + bytes.length > this.memoryBytes) this.spill.append(bytes);
    else this.pending.push(bytes);
    if (this.pumpDue) return;
    this.pumpDue = true;
    queueMicrotask(() => {
      this.pumpDue = false;
      this.pump();
    });
  }

  /** Resolves once everything queued so far is written, or the queue failed or was closed. */
  flushed(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops what is still queued and closes the temporary file; the descriptor is left open. */
  close(): void {
    this.closed = true;
    this.pending.clear();
    this.spill.close();
    this.settle();
  }

  private idle(): boolean {
    return this.error !== undefined || this.closed || (!this.writing && this.pending.length === 0 && !this.spill.busy);
  }

  private pump(): void {
    if (this.writing || this.error !== undefined || this.closed) return;
    if (this.pending.length === 0) {
      this.spill.readOldest(Math.min(SPILL_READ_BYTES, this.memoryBytes), (piece) => {
        this.pending.push(piece);
        this.pump();
      });
      this.settle();
      return;
    }
    const batch = this.pending.takeBatch();
    this.inFlight = batch.reduce((sum, bytes) => sum + bytes.length, 0);
    this.writing = true;
    this.writeBuffers(this.fd, batch, (error, written) => {
      this.writing = false;
      this.inFlight = 0;
      if (this.closed) return;
      if (error !== null && error.code === 'EAGAIN') {
        this.pending.putBack(batch, 0);
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
      this.pending.putBack(batch, written);
      this.pump();
    });
  }

  private fail(error: NodeJS.ErrnoException): void {
    if (this.error !== undefined) return;
    this.error = error;
    this.pending.clear();
    this.spill.close();
    this.failures.next(error);
    this.failures.complete();
    this.settle();
  }

  private settle(): void {
    if (!this.idle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
