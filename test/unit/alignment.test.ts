/**
 * The alignment rules, one row each: `alignRingReplay` (the Go runner's ring in one frame),
 * `planChunkReplay` (`boxlite serve`'s stored chunks) and the trust rule they share.
 */
import { describe, expect, it } from 'vitest';
import { alignRingReplay, type RingReplay } from '../../src/delivery/alignRing.js';
import { headMayBeMissing, overlapUnknown, wrappedPast } from '../../src/delivery/notices.js';
import { planChunkReplay } from '../../src/delivery/planChunkReplay.js';
import { TRUSTED_OVERLAP_BYTES, isDistinctOverlap } from '../../src/delivery/trust.js';
import { realisticOutput } from '../support/realisticOutput.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]));

/** `length` bytes of log lines that share long endings: never periodic, rarely repeated. */
const logBytes = (length: number, seed = 1): Uint8Array => cat(...realisticOutput('logs', length, seed)).subarray(0, length);

const ring = (fields: Partial<RingReplay> & Pick<RingReplay, 'replay'>): RingReplay => {
  const history = fields.history ?? new Uint8Array(0);
  return { stream: 'stdout', delivered: history.length, history, ringBytes: 64, ...fields };
};

describe('isDistinctOverlap', () => {
  const history = logBytes(3 * TRUSTED_OVERLAP_BYTES);

  it(`trusts a tail of ${TRUSTED_OVERLAP_BYTES} bytes or more that is not periodic and occurs once`, () => {
    expect(isDistinctOverlap(history, TRUSTED_OVERLAP_BYTES)).toBe(true);
    expect(isDistinctOverlap(history, history.length)).toBe(true);
  });

  it('does not trust a shorter tail, however distinct', () => {
    expect(isDistinctOverlap(history, TRUSTED_OVERLAP_BYTES - 1)).toBe(false);
  });

  it('does not trust a periodic tail (yes, padding)', () => {
    const yes = enc('y\n'.repeat(3 * TRUSTED_OVERLAP_BYTES));
    expect(isDistinctOverlap(yes, 2 * TRUSTED_OVERLAP_BYTES)).toBe(false);
    expect(isDistinctOverlap(cat(history, new Uint8Array(2 * TRUSTED_OVERLAP_BYTES)), 2 * TRUSTED_OVERLAP_BYTES)).toBe(false);
  });

  it('does not trust a tail that occurs earlier in the history too (a block printed twice)', () => {
    const block = logBytes(TRUSTED_OVERLAP_BYTES + 100, 7);
    expect(isDistinctOverlap(cat(block, logBytes(500, 8), block), block.length)).toBe(false);
  });

  it('does not trust a length past the history', () => {
    expect(isDistinctOverlap(history, history.length + 1)).toBe(false);
  });
});

describe('alignRingReplay', () => {
  it('nothing delivered, shorter than the ring: delivered whole, no notice', () => {
    expect(alignRingReplay(ring({ replay: enc('abc') }))).toEqual({ skip: 0 });
  });

  it('nothing delivered, a full ring: delivered whole after output-lost (older output may be gone)', () => {
    expect(alignRingReplay(ring({ replay: new Uint8Array(64) }))).toEqual({ skip: 0, notice: headMayBeMissing('stdout', 64) });
  });

  it('shorter than the ring, starting with every delivered byte: exactly the delivered bytes skipped', () => {
    expect(alignRingReplay(ring({ history: enc('hel'), replay: enc('hello') }))).toEqual({ skip: 3 });
    expect(alignRingReplay(ring({ history: enc('y\ny\n'), replay: enc('y\ny\ny\n') }))).toEqual({ skip: 4 });
  });

  it('shorter than the ring but not starting with the delivered bytes: aligned by content, announced', () => {
    expect(alignRingReplay(ring({ history: enc('abc'), replay: enc('bcd') }))).toEqual({ skip: 0, notice: overlapUnknown('stdout', 2) });
  });

  it('a full ring with no overlap: delivered whole after output-lost', () => {
    expect(alignRingReplay(ring({ history: enc('A'.repeat(30)), replay: enc('B'.repeat(64)) }))).toEqual({
      skip: 0,
      notice: wrappedPast('stdout', 30),
    });
  });

  it('a full ring whose overlap chance could explain (short, or periodic): delivered whole, replay-overlap-unknown', () => {
    expect(alignRingReplay(ring({ history: enc('xyz\n'), replay: enc(`\n${'q'.repeat(63)}`) }))).toEqual({ skip: 0, notice: overlapUnknown('stdout', 1) });
    expect(alignRingReplay(ring({ history: enc('y\n'.repeat(25)), replay: enc('y\n'.repeat(32)) }))).toEqual({ skip: 0, notice: overlapUnknown('stdout', 50) });
  });

  it('a full ring with a distinct overlap: the overlap skipped, no notice (both a wrapped and an exactly full ring)', () => {
    const stream = logBytes(5 * TRUSTED_OVERLAP_BYTES);
    const ringBytes = 3 * TRUSTED_OVERLAP_BYTES;
    const delivered = 4 * TRUSTED_OVERLAP_BYTES;
    const history = stream.subarray(delivered - ringBytes, delivered);
    const replay = stream.subarray(stream.length - ringBytes);
    expect(alignRingReplay({ stream: 'stdout', delivered, history, ringBytes, replay })).toEqual({ skip: 2 * TRUSTED_OVERLAP_BYTES });
    const full = stream.subarray(0, ringBytes);
    expect(alignRingReplay({ stream: 'stdout', delivered: ringBytes, history: full, ringBytes, replay: full })).toEqual({ skip: ringBytes });
  });

  it('names the stream in its notices', () => {
    const result = alignRingReplay({ stream: 'stderr', delivered: 2, history: enc('ab'), ringBytes: 8, replay: enc('cdefghij') });
    expect(result).toEqual({ skip: 0, notice: wrappedPast('stderr', 2) });
  });
});

describe('planChunkReplay', () => {
  /** Delivered chunks as the cursor keeps them: the history bytes and their lengths. */
  const delivered = (...chunks: Uint8Array[]) => {
    const history = cat(...chunks);
    return { stream: 'stdout' as const, delivered: history.length, history, lengths: chunks.map((chunk) => chunk.length), newestLength: chunks.at(-1)?.length ?? 0 };
  };

  it('a first frame equal to one delivered chunk, the run from it a distinct overlap: skip the run, expect its chunks', () => {
    const a = logBytes(3000, 1);
    const b = logBytes(3000, 2);
    const c = logBytes(3000, 3);
    expect(planChunkReplay({ ...delivered(a, b, c), first: b })).toEqual({ kind: 'run', expected: [c], bytes: 6000 });
  });

  it('a short run is not proof (a new chunk can equal a delivered one): delivered whole after replay-overlap-unknown', () => {
    expect(planChunkReplay({ ...delivered(enc('line 1\n'), enc('line 2\n')), first: enc('line 1\n') })).toEqual({
      kind: 'deliver',
      notice: overlapUnknown('stdout', 14),
    });
  });

  it('a first frame equal to several delivered chunks (heartbeats): delivered whole, up to the longest run may repeat', () => {
    const beat = enc('heartbeat ok\n');
    expect(planChunkReplay({ ...delivered(beat, beat, beat), first: beat })).toEqual({ kind: 'deliver', notice: overlapUnknown('stdout', 39) });
  });

  it('a first frame equal to no delivered chunk: delivered whole after output-lost', () => {
    expect(planChunkReplay({ ...delivered(enc('a'), enc('b')), first: enc('c') })).toEqual({ kind: 'deliver', notice: wrappedPast('stdout', 2) });
  });

  it('a first frame that is no stored chunk but starts with delivered bytes (a ring server): replay-overlap-unknown, not output-lost', () => {
    expect(planChunkReplay({ ...delivered(enc('line 1\n'), enc('line 2\n')), first: enc('line 1\nline 2\nline 3\n') })).toEqual({
      kind: 'deliver',
      notice: overlapUnknown('stdout', 14),
    });
  });

  it('the newest delivered chunk, too large to retain, again: replay-overlap-unknown, not output-lost', () => {
    const big = logBytes(200, 4);
    const history = big.subarray(100);
    const input = { stream: 'stdout' as const, delivered: 200, history, lengths: [], newestLength: 200 };
    expect(planChunkReplay({ ...input, first: big })).toEqual({ kind: 'deliver', notice: overlapUnknown('stdout', 200) });
    expect(planChunkReplay({ ...input, first: logBytes(200, 5) })).toEqual({ kind: 'deliver', notice: wrappedPast('stdout', 200) });
  });
});
