/**
 * The `flood` script step: a large, fast output stream for benchmarks, written only as fast as the
 * attached client takes it, so the emulator can stream gigabytes without dropping a chunk and
 * without spending its time building them.
 */

import type { OutputStream } from '../../protocol/types.js';

/** What a `{ flood }` step writes. */
export interface FloodSpec {
  /** The bytes of every chunk (strings are UTF-8 encoded); copied once, then reused for each chunk. */
  readonly chunk: string | Uint8Array;
  /** How many chunks to write (an integer >= 0). */
  readonly count: number;
  /** The stream (default `'stdout'`; a TTY script sends stderr on the stdout channel). */
  readonly stream?: OutputStream;
}

const encoder = new TextEncoder();

/**
 * One running flood: `count` copies of one chunk, written in bursts of at most the room the
 * attached client's queue has, like a process blocked on a pipe its reader drains. Nothing is
 * written while no client is attached.
 */
export class Flood {
  private readonly chunk: Uint8Array;
  private remaining: number;

  /** @throws RangeError when `count` is not an integer >= 0. */
  constructor(spec: FloodSpec) {
    if (!Number.isInteger(spec.count) || spec.count < 0) {
      throw new RangeError(`flood: count must be an integer >= 0, got ${String(spec.count)}`);
    }
    this.chunk = typeof spec.chunk === 'string' ? encoder.encode(spec.chunk) : spec.chunk.slice();
    this.remaining = this.chunk.length === 0 ? 0 : spec.count;
  }

  /**
   * Writes up to `room` chunks with `write`.
   * @returns true once every chunk was written.
   */
  pour(room: number, write: (data: Uint8Array) => void): boolean {
    const burst = Math.min(room, this.remaining);
    for (let i = 0; i < burst; i += 1) write(this.chunk);
    this.remaining -= burst;
    return this.remaining === 0;
  }
}
