import { byteCount, oneOf } from '../checkOptions.js';
import type { OutputStream } from '../protocol/types.js';
import { ByteHistory } from './byteHistory.js';
import { ChunkLengths } from './chunkLengths.js';
import { ShapeFinding } from './shapeFinding.js';

const OWNER = 'ReplayCursor';

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

/** A replay shape, or `'auto'`: found from the frames (see `ShapeFinding`). */
export type ReplayShapeOption = ReplayShape | 'auto';

/**
 * Per-execution delivery state that outlives each socket: how many bytes of each stream reached
 * the subscriber, the last `ringBytes` of them with their frame boundaries, and the server's
 * replay shape. `skipReplayed` reads and advances it; it advances only as bytes are handed on.
 */
export class ReplayCursor {
  private readonly delivered = { stdout: 0, stderr: 0 };
  private readonly histories: Record<OutputStream, ByteHistory>;
  private readonly chunks: Record<OutputStream, ChunkLengths>;
  private readonly finding: ShapeFinding;

  /**
   * @param ringBytes The server's buffer per stream.
   * @param shape The server's replay shape: configured, `'auto'`, or a client's shared
   *   `ShapeFinding`. The frames refine it (see `planShape`).
   */
  constructor(
    readonly ringBytes: number = DEFAULT_RING_BYTES,
    shape: ReplayShapeOption | ShapeFinding = 'auto',
  ) {
    byteCount(OWNER, 'ringBytes', ringBytes, 0);
    this.finding = shape instanceof ShapeFinding ? shape : new ShapeFinding(oneOf(OWNER, 'replayShape', shape, ['ring', 'chunks', 'auto'], 'auto') === 'auto' ? undefined : (shape as ReplayShape));
    this.histories = { stdout: new ByteHistory(ringBytes), stderr: new ByteHistory(ringBytes) };
    this.chunks = { stdout: new ChunkLengths(ringBytes), stderr: new ChunkLengths(ringBytes) };
  }

  /** The replay shape: configured or proven by the frames; `undefined` while unknown. */
  get shape(): ReplayShape | undefined {
    return this.finding.shape;
  }

  /**
   * The shape to plan the first frame `frame` of `stream` on an attach with, after reading what it
   * proves (`provenShape`); a shape still unknown is planned as `chunks`, whose rules never skip a
   * byte that the frames do not prove delivered.
   */
  planShape(stream: OutputStream, frame: Uint8Array): ReplayShape {
    const delivered = this.delivered[stream];
    const history = this.histories[stream].snapshot();
    const frames = this.chunks[stream].snapshot().length;
    return this.finding.read({ frame, delivered, history, frames, ringBytes: this.ringBytes });
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

  /**
   * Records one chunk (one frame, or the new part of one) as it is handed to the subscriber; or,
   * with `frames`, the joined frames of one socket read (`OutputEvent.frames`), each a chunk.
   */
  record(stream: OutputStream, chunk: Uint8Array, frames?: readonly number[]): void {
    this.delivered[stream] += chunk.length;
    this.histories[stream].write(chunk);
    const chunks = this.chunks[stream];
    if (frames) frames.forEach(chunks.push);
    else chunks.push(chunk.length);
  }
}
