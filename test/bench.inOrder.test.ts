/**
 * bench/inOrder.ts, figure 6b's check of a run the server dropped chunks from: what arrived must be
 * what was written with bytes left out, in order, none repeated or reordered.
 */
import { describe, expect, it } from 'vitest';
import { inOrder } from '../bench/inOrder.js';

const ENDING = ' 2026-12-07T01:00:00.000Z INFO worker-3 request handled path=/v1/boxes/box/exec status=200 duration_ms=12';
const written = Buffer.from(Array.from({ length: 5_000 }, (_, i) => `${i + 1}${ENDING}\n`).join(''));

/** `written` in 1 KiB reads (the last one short), as the emulator's pump reads it. */
const reads: Buffer[] = [];
for (let at = 0; at < written.length; at += 1024) reads.push(written.subarray(at, at + 1024));

/** A deterministic pseudo-random sequence in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** `chunks` joined and cut again at random places, as a client's events may merge or split frames. */
function rechunk(chunks: readonly Buffer[], next: () => number): Buffer[] {
  const all = Buffer.concat(chunks);
  const out: Buffer[] = [];
  for (let at = 0; at < all.length; ) {
    const length = 1 + Math.floor(next() * 3000);
    out.push(all.subarray(at, at + length));
    at += length;
  }
  return out;
}

function check(chunks: readonly Uint8Array[]): { ok: boolean; missing: number } {
  const order = inOrder(written);
  for (const chunk of chunks) order.data(chunk);
  return { ok: order.ok, missing: order.missing };
}

describe('inOrder', () => {
  it('everything, in any chunking: in order, nothing missing', () => {
    expect(check(reads)).toEqual({ ok: true, missing: 0 });
    expect(check(rechunk(reads, random(1)))).toEqual({ ok: true, missing: 0 });
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('whole reads dropped at random (seed %i), rechunked: in order, missing exactly the dropped bytes', (seed) => {
    const next = random(seed);
    const kept = reads.filter(() => next() > 0.3);
    const dropped = written.length - kept.reduce((sum, read) => sum + read.length, 0);
    expect(dropped).toBeGreaterThan(0);
    expect(check(rechunk(kept, next))).toEqual({ ok: true, missing: dropped });
  });

  it('a read repeated, two reads swapped, or a byte changed: not in order', () => {
    expect(check([...reads.slice(0, 10), reads[9] as Buffer, ...reads.slice(10)]).ok).toBe(false);
    expect(check([...reads.slice(0, 10), reads[11] as Buffer, reads[10] as Buffer, ...reads.slice(12)]).ok).toBe(false);
    const changed = Buffer.from(written);
    changed[written.length - 5] = 0x00;
    expect(check([changed]).ok).toBe(false);
  });
});
