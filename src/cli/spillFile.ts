import { close, mkdtempSync, openSync, read, rmSync, unlinkSync, writev } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferQueue } from './bufferQueue.js';

/** Opens a temporary file and unlinks it at once: only its descriptor holds it, so no way out leaves it behind. */
function openAnonymous(): number {
  const dir = mkdtempSync(join(tmpdir(), 'boxlite-rx-'));
  const path = join(dir, 'output');
  try {
    const fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
    return fd;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A first-in first-out byte store in an anonymous temporary file, for `OutputQueue`. Appends and
 * reads are asynchronous (the thread pool), so a disk that throttles its writers never stops the
 * event loop; bytes not yet appended wait in memory, in order (as many as the disk lags behind).
 * Whenever the file has been read to its end and no read is under way, the next append starts
 * again at its start, so the file grows only while the reader stays behind. Opened (a few
 * synchronous calls, once) on the first append.
 */
export class SpillFile {
  private fd: number | undefined;
  /** The file's unread bytes are `[readAt, writeAt)`. */
  private writeAt = 0;
  private readAt = 0;
  /** Bytes to append after the file's, oldest first. */
  private readonly queued = new BufferQueue();
  private appending = false;
  private reading = false;
  private closed = false;
  /** The descriptor to close once the append or read under way has returned. */
  private closing: number | undefined;

  /**
   * @param changed called when an append or a read completes, so the owner can go on.
   * @param failed called once with the first error of the file; nothing is stored after it.
   */
  constructor(
    private readonly changed: () => void,
    private readonly failed: (error: NodeJS.ErrnoException) => void,
  ) {}

  /** Bytes held, in the file or waiting to be appended to it. */
  get size(): number {
    return this.writeAt - this.readAt + this.queued.bytes;
  }

  /** True while bytes are held or an append or read is under way. */
  get busy(): boolean {
    return this.size > 0 || this.appending || this.reading;
  }

  /** Stores `bytes` after everything stored before. */
  append(bytes: Uint8Array): void {
    if (this.closed) return;
    this.queued.push(bytes);
    this.flushQueue();
  }

  /**
   * Reads up to `max` of the oldest bytes stored in the file and hands them to `take`. Does
   * nothing while a read is under way or when the file holds nothing yet (bytes still waiting to
   * be appended come later, through `changed`).
   */
  readOldest(max: number, take: (piece: Uint8Array) => void): void {
    const fd = this.fd;
    if (this.closed || this.reading || fd === undefined || this.writeAt === this.readAt) return;
    const piece = Buffer.allocUnsafe(Math.min(max, this.writeAt - this.readAt));
    this.reading = true;
    read(fd, piece, 0, piece.length, this.readAt, (error, bytesRead) => {
      this.reading = false;
      if (this.closed) {
        this.closeWhenIdle();
        return;
      }
      if (error !== null || bytesRead === 0) {
        this.fail(error ?? Object.assign(new Error('the output spill file ended early'), { code: 'EIO' }));
        return;
      }
      this.readAt += bytesRead;
      this.rewindWhenEmpty();
      take(piece.subarray(0, bytesRead));
    });
  }

  /** Forgets what the file held and closes it (once the append or read under way has returned). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queued.clear();
    this.readAt = 0;
    this.writeAt = 0;
    this.closing = this.fd;
    this.fd = undefined;
    this.closeWhenIdle();
  }

  private closeWhenIdle(): void {
    if (this.closing === undefined || this.appending || this.reading) return;
    close(this.closing, () => undefined);
    this.closing = undefined;
  }

  private flushQueue(): void {
    if (this.appending || this.closed || this.queued.length === 0) return;
    try {
      this.fd ??= openAnonymous();
    } catch (error: unknown) {
      this.fail(error as NodeJS.ErrnoException);
      return;
    }
    if (!this.reading) this.rewindWhenEmpty();
    const batch = this.queued.takeBatch();
    this.appending = true;
    writev(this.fd, batch, this.writeAt, (error, written) => {
      this.appending = false;
      if (this.closed) {
        this.closeWhenIdle();
        return;
      }
      if (error !== null) {
        this.fail(error);
        return;
      }
      this.writeAt += written;
      this.queued.putBack(batch, written);
      this.flushQueue();
      this.changed();
    });
  }

  /** A file read to its end is written again from its start (no append may be under way: it would move the end). */
  private rewindWhenEmpty(): void {
    if (this.readAt !== this.writeAt || this.appending) return;
    this.readAt = 0;
    this.writeAt = 0;
  }

  private fail(error: NodeJS.ErrnoException): void {
    this.close();
    this.failed(error);
  }
}
