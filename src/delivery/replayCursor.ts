import type { OutputStream } from '../protocol/types.js';
import { ByteHistory } from './byteHistory.js';
import { ChunkLengths } from './chunkLengths.js';

/** The server's default ring: 256 KiB per stream. */
export const DEFAULT_RING_BYTES = 256 * 1024;

/**
 * How the server replays its buffer on every attach (docs/protocol.md):
 * - `ring` (the Go runner, the cloud path): the first frame of a stream is its whole ring, at most
 *   `ringBytes`; shorter exactly when the ring has not wrapped.
 * - `chunks` (`boxlite serve`): one frame per stored chunk, the chunks the client saw live; whole
 *   chunks are dropped from the front past `ringBytes`.
 */
export type ReplayShape = 'ring' | 'chunks';

/**
 * Per-execution delivery state that outlives each socket: how many bytes of each stream reached
 * the subscriber, the last `ringBytes` of them with their frame boundaries, and the server's
 * replay shape. `skipReplayed` reads and advances it; it advances only as bytes are handed on.
 */
export class ReplayCursor {
  private readonly delivered = { stdout: 0, stderr: 0 };
  private readonly histories: Record<OutputStream, ByteHistory>;
  private readonly chunks: Record<OutputStream, ChunkLengths>;
  private replayShape: ReplayShape;

  /**
   * @param ringBytes The server's buffer per stream.
   * @param shape The server's replay shape as configured; a `ring` replay that only whole chunks
   *   can explain switches it to `chunks` (see `shape`).
   */
  constructor(
    readonly ringBytes: number = DEFAULT_RING_BYTES,
    shape: ReplayShape = 'ring',
  ) {
    if (!Number.isInteger(ringBytes) || ringBytes < 1) {
      throw new RangeError(`ringBytes must be a positive integer, got ${ringBytes}`);
    }
    if (shape !== 'ring' && shape !== 'chunks') throw new TypeError(`replayShape must be 'ring' or 'chunks', got ${String(shape)}`);
    this.replayShape = shape;
    this.histories = { stdout: new ByteHistory(ringBytes), stderr: new ByteHistory(ringBytes) };
    this.chunks = { stdout: new ChunkLengths(ringBytes), stderr: new ChunkLengths(ringBytes) };
  }

  /** The replay shape: as configured, or `chunks` once the frames showed it. */
  get shape(): ReplayShape {
    return this.replayShape;
  }

  /** The frames showed a replay of whole chunks: a ring replay is never shorter than what was delivered. */
  replaysChunks(): void {
    this.replayShape = 'chunks';
  }

  /** Bytes of `stream` delivered so far. */
  deliveredBytes(stream: OutputStream): number {
    return this.delivered[stream];
  }

  /** The last `min(delivered, ringBytes)` bytes of `stream`, as a copy. */
  history(stream: OutputStream): Uint8Array {
    return this.histories[stream].snapshot();
  }

  /** The lengths of the delivered chunks that lie wholly within `history(stream)`, oldest first. */
  chunkLengths(stream: OutputStream): number[] {
    return this.chunks[stream].snapshot();
  }

  /** The length of the newest delivered chunk of `stream`, even one larger than `ringBytes` (0 before any). */
  newestChunkLength(stream: OutputStream): number {
    return this.chunks[stream].newest;
  }

  /** Records one chunk (one frame, or the new part of one) as it is handed to the subscriber. */
  record(stream: OutputStream, chunk: Uint8Array): void {
    this.delivered[stream] += chunk.length;
    this.histories[stream].write(chunk);
    this.chunks[stream].push(chunk.length);
  }
}
