import type { OutputStream } from '../protocol/types.js';
import { ByteHistory } from './byteHistory.js';

/** The server's default ring: 256 KiB per stream. */
export const DEFAULT_RING_BYTES = 256 * 1024;

/**
 * Milliseconds of quiet after which the next frame is live output, so the replay held before it
 * was complete: the server sends the whole ring as one burst right after the upgrade.
 */
export const DEFAULT_REPLAY_SETTLE_MS = 250;

/**
 * Per-execution delivery state that outlives each socket: how many bytes of each stream reached
 * the subscriber, and the last `ringBytes` of them. `skipReplayed` reads and advances it.
 */
export class ReplayCursor {
  private readonly delivered = { stdout: 0, stderr: 0 };
  private readonly histories: Record<OutputStream, ByteHistory>;

  /**
   * @param ringBytes The server's ring per stream.
   * @param replaySettle Quiet milliseconds that end a held replay (`DEFAULT_REPLAY_SETTLE_MS`).
   */
  constructor(
    readonly ringBytes: number = DEFAULT_RING_BYTES,
    readonly replaySettle: number = DEFAULT_REPLAY_SETTLE_MS,
  ) {
    if (!Number.isInteger(ringBytes) || ringBytes < 1) {
      throw new RangeError(`ringBytes must be a positive integer, got ${ringBytes}`);
    }
    if (!(replaySettle > 0) || !Number.isFinite(replaySettle)) {
      throw new RangeError(`replaySettle must be a positive number of milliseconds, got ${replaySettle}`);
    }
    this.histories = { stdout: new ByteHistory(ringBytes), stderr: new ByteHistory(ringBytes) };
  }

  /** Bytes of `stream` delivered so far. */
  deliveredBytes(stream: OutputStream): number {
    return this.delivered[stream];
  }

  /** The last `min(delivered, ringBytes)` bytes of `stream`, as a copy. */
  history(stream: OutputStream): Uint8Array {
    return this.histories[stream].snapshot();
  }

  /** Records bytes that are being handed to the subscriber. */
  record(stream: OutputStream, chunk: Uint8Array): void {
    this.delivered[stream] += chunk.length;
    this.histories[stream].write(chunk);
  }
}
