/**
 * What an execution stores of each output stream, and how an attach replays it (docs/protocol.md §4).
 * The shape depends on the server modelled: a byte ring (`OutputRing`, the Go runner) or a
 * deque of whole chunks (`ChunkBacklog`, `boxlite serve`).
 */

/** The per-stream output store of an execution. */
export interface OutputBacklog {
  /** The byte cap the store is bounded by. */
  readonly capacity: number;
  /** Bytes currently held. */
  readonly byteLength: number;
  /**
   * Appends one chunk as the process wrote it, evicting old output past the cap.
   * @returns the number of bytes dropped.
   */
  push(data: Uint8Array): number;
  /** The payloads of the output frames an attach replays first, oldest first. */
  replayFrames(): Uint8Array[];
}
