import type { FetchAnswer } from '../transport/http.js';
import { bytesEqual, smallestPeriod } from './overlap.js';
import type { ReplayShape } from './replayCursor.js';

/** What is known when the first frame of a stream arrives on an attach, for finding the shape. */
export interface ShapeEvidence {
  /** The frame. */
  readonly frame: Uint8Array;
  /** Bytes of this stream delivered so far (all attaches). */
  readonly delivered: number;
  /** The last `min(delivered, ringBytes)` delivered bytes. */
  readonly history: Uint8Array;
  /** How many frames delivered them. */
  readonly frames: number;
  readonly ringBytes: number;
}

/**
 * What a stream's first frame on an attach proves about how the server replays, from framing
 * alone (docs/delivery.md, "The shape found by itself"), or `undefined` when both shapes explain
 * it. A Go-runner ring replay is one frame of `min(written, ringBytes)` bytes, the stream from
 * byte 0 unless it is full; a `boxlite serve` replay starts with one stored chunk.
 *
 * | the first frame | proves |
 * |---|---|
 * | longer than the buffer (only serve keeps one chunk past it) | `chunks` |
 * | shorter than what a ring holds (`min(delivered, ringBytes)`), or short of the buffer and not starting with every delivered byte | `chunks` |
 * | exactly the buffer | `ring` |
 * | all delivered bytes and more, after two frames or more (one chunk cannot hold two) | `ring` |
 * | … after one frame, not periodic, and longer than it | `ring` |
 * | anything else (nothing delivered, or one frame again, or periodic output) | nothing |
 */
export function provenShape({ frame, delivered, history, frames, ringBytes }: ShapeEvidence): ReplayShape | undefined {
  const { length } = frame;
  if (length === ringBytes) return 'ring';
  if (length > ringBytes || length < Math.min(delivered, ringBytes)) return 'chunks';
  if (delivered === 0) return undefined;
  if (!bytesEqual(frame.subarray(0, delivered), history)) return 'chunks';
  return frames > 1 || (length > delivered && smallestPeriod(history) * 2 > delivered) ? 'ring' : undefined;
}

/**
 * The replay shape of one server as the frames showed it: configured (`ring`, `chunks`) or not yet
 * known (`auto`). A client with `replayShape: 'auto'` shares one finding across its executions;
 * a configured shape gets one per execution. A proof of `chunks` always wins (a ring replay cannot
 * be shorter than what it holds); a proof of `ring` decides only an unknown shape.
 */
export class ShapeFinding {
  /** What the first JSON success's `Content-Type` suggested, until a frame proves a shape (see {@link heard}). */
  hint?: ReplayShape;

  constructor(public shape?: ReplayShape) {}

  /**
   * Reads a REST success of this client's server: the Go runner (gin) answers JSON as
   * `application/json; charset=utf-8`, `boxlite serve` (axum) as `application/json`. A hint only:
   * a proxy may rewrite the header, so a frame's proof outranks it.
   */
  heard(response: FetchAnswer): void {
    const type = response.status < 300 ? response.headers?.get('content-type') : undefined;
    if (type?.startsWith('application/json')) this.hint ??= type.includes('charset') ? 'ring' : 'chunks';
  }

  /** Reads a stream's first frame on an attach; returns the shape to plan it with: proven, else hinted, else `chunks`. */
  read(evidence: ShapeEvidence): ReplayShape {
    const proven = provenShape(evidence);
    if (proven === 'chunks' || this.shape === undefined) this.shape = proven;
    return this.shape ?? this.hint ?? 'chunks';
  }
}
