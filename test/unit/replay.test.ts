import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexOfBytes, smallestPeriod, suffixPrefixOverlaps } from '../../src/delivery/overlap.js';
import { ByteHistory } from '../../src/delivery/byteHistory.js';
import { ChunkLengths } from '../../src/delivery/chunkLengths.js';
import { DEFAULT_RING_BYTES, ReplayCursor } from '../../src/delivery/replayCursor.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

// ---------------------------------------------------------------------------------------------
// ByteHistory

function naiveTail(all: number[], capacity: number): number[] {
  return capacity === 0 ? [] : all.slice(Math.max(0, all.length - capacity));
}

/** `history` holds exactly the last `capacity` bytes of `all`. */
function expectNaiveTail(history: ByteHistory, all: number[], capacity: number): void {
  const expected = naiveTail(all, capacity);
  expect(history.size).toBe(expected.length);
  expect(Array.from(history.snapshot())).toEqual(expected);
}

describe('ByteHistory', () => {
  it('keeps everything below capacity', () => {
    const history = new ByteHistory(8);
    history.write(Uint8Array.of(1, 2, 3));
    history.write(Uint8Array.of(4));
    expect(history.size).toBe(4);
    expect(Array.from(history.snapshot())).toEqual([1, 2, 3, 4]);
  });

  it('keeps exactly capacity bytes when full', () => {
    const history = new ByteHistory(4);
    history.write(Uint8Array.of(1, 2, 3, 4));
    expect(history.size).toBe(4);
    expect(Array.from(history.snapshot())).toEqual([1, 2, 3, 4]);
  });

  it('drops the oldest bytes past capacity, across the wrap', () => {
    const history = new ByteHistory(4);
    history.write(Uint8Array.of(1, 2, 3));
    history.write(Uint8Array.of(4, 5));
    expect(Array.from(history.snapshot())).toEqual([2, 3, 4, 5]);
    history.write(Uint8Array.of(6, 7, 8));
    expect(Array.from(history.snapshot())).toEqual([5, 6, 7, 8]);
    expect(history.size).toBe(4);
  });

  it('keeps the tail of a chunk larger than capacity', () => {
    const history = new ByteHistory(4);
    history.write(Uint8Array.of(9));
    history.write(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
    expect(Array.from(history.snapshot())).toEqual([7, 8, 9, 10]);
    history.write(Uint8Array.of(11));
    expect(Array.from(history.snapshot())).toEqual([8, 9, 10, 11]);
  });

  it('copies what it is given', () => {
    const history = new ByteHistory(8);
    const chunk = Uint8Array.of(1, 2);
    history.write(chunk);
    chunk[0] = 99;
    expect(Array.from(history.snapshot())).toEqual([1, 2]);
  });

  it('keeps a chunk of 512 bytes or more as it was delivered, without a copy (the subscriber must not write into it)', () => {
    const history = new ByteHistory(2048);
    const chunk = new Uint8Array(512).fill(1);
    history.write(Uint8Array.of(7));
    history.write(chunk);
    chunk[511] = 2;
    expect(Array.from(history.snapshot().subarray(-2))).toEqual([1, 2]);
  });

  it('matches a naive reference for chunks around the copy and block sizes (1-1100 bytes, capacities to 5000)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.array(fc.integer({ min: 0, max: 1100 }), { maxLength: 40 }),
        (capacity, sizes) => {
          const history = new ByteHistory(capacity);
          const all: number[] = [];
          for (const size of sizes) {
            const chunk = Uint8Array.from({ length: size }, (_, i) => (all.length + i) % 251);
            history.write(chunk);
            all.push(...chunk);
          }
          expectNaiveTail(history, all, capacity);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('returns a copy', () => {
    const history = new ByteHistory(8);
    history.write(Uint8Array.of(1, 2));
    history.snapshot()[0] = 99;
    expect(Array.from(history.snapshot())).toEqual([1, 2]);
  });

  it('ignores empty chunks', () => {
    const history = new ByteHistory(3);
    history.write(Uint8Array.of(1, 2, 3));
    history.write(new Uint8Array(0));
    expect(Array.from(history.snapshot())).toEqual([1, 2, 3]);
  });

  it('with capacity 0 keeps nothing', () => {
    const history = new ByteHistory(0);
    history.write(Uint8Array.of(1, 2, 3));
    expect(history.size).toBe(0);
    expect(history.snapshot().length).toBe(0);
  });

  it('starts empty', () => {
    const history = new ByteHistory(16);
    expect(history.size).toBe(0);
    expect(history.snapshot()).toEqual(new Uint8Array(0));
  });

  it('matches a naive reference for random writes (small capacities)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 120 }), { maxLength: 30 }),
        (capacity, chunks) => {
          const history = new ByteHistory(capacity);
          const all: number[] = [];
          for (const chunk of chunks) {
            history.write(chunk);
            all.push(...chunk);
            expectNaiveTail(history, all, capacity);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches a naive reference across the 4096-byte growth step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4000, max: 12_000 }),
        fc.array(fc.integer({ min: 0, max: 15_000 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 255 }),
        (capacity, sizes, seed) => {
          const history = new ByteHistory(capacity);
          const all: number[] = [];
          let next = seed;
          for (const size of sizes) {
            const chunk = new Uint8Array(size);
            for (let i = 0; i < size; i += 1) {
              next = (next * 31 + 7) % 251;
              chunk[i] = next;
            }
            history.write(chunk);
            for (const byte of chunk) all.push(byte);
            expectNaiveTail(history, all, capacity);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// suffixPrefixOverlaps / indexOfBytes

function naiveOverlaps(text: Uint8Array, pattern: Uint8Array): number[] {
  const lengths: number[] = [];
  for (let length = Math.min(text.length, pattern.length); length >= 1; length -= 1) {
    let equal = true;
    for (let i = 0; i < length; i += 1) {
      if (text[text.length - length + i] !== pattern[i]) {
        equal = false;
        break;
      }
    }
    if (equal) lengths.push(length);
  }
  return lengths;
}

function naiveIndexOf(text: Uint8Array, pattern: Uint8Array): number {
  outer: for (let start = 0; start + pattern.length <= text.length; start += 1) {
    for (let i = 0; i < pattern.length; i += 1) if (text[start + i] !== pattern[i]) continue outer;
    return start;
  }
  return -1;
}

const smallAlphabet = (maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 2 }), { maxLength }).map((values) => Uint8Array.from(values));

describe('suffixPrefixOverlaps', () => {
  it.each([
    ['aaaa', 'aaa', [3, 2, 1]],
    ['abcab', 'abx', [2]],
    ['abcab', 'abcab', [5, 2]],
    ['abab', 'ababab', [4, 2]],
    ['ab', 'abab', [2]],
    ['abc', 'xyz', []],
    ['', 'a', []],
    ['a', '', []],
    ['xxabab', 'ababzz', [4, 2]],
    ['efghij', 'ghijkl', [4]],
  ])('%j / %j → %j', (text, pattern, expected) => {
    expect(suffixPrefixOverlaps(enc(text), enc(pattern))).toEqual(expected);
  });

  it('matches a naive O(n·m) reference on random small-alphabet arrays', () => {
    fc.assert(
      fc.property(smallAlphabet(24), smallAlphabet(24), (text, pattern) => {
        expect(suffixPrefixOverlaps(text, pattern)).toEqual(naiveOverlaps(text, pattern));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches the reference when the pattern starts with a suffix of the text', () => {
    fc.assert(
      fc.property(smallAlphabet(20), smallAlphabet(20), fc.nat(), (text, tail, cut) => {
        const pattern = Uint8Array.from([...text.subarray(text.length - (cut % (text.length + 1))), ...tail]);
        expect(suffixPrefixOverlaps(text, pattern)).toEqual(naiveOverlaps(text, pattern));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('indexOfBytes', () => {
  it.each([
    ['abcabd', 'abd', 3],
    ['aaab', 'aab', 1],
    ['abc', 'abc', 0],
    ['abc', 'abcd', -1],
    ['abc', '', 0],
    ['', '', 0],
    ['', 'a', -1],
    ['abababc', 'ababc', 2],
  ])('%j in %j → %i', (text, pattern, index) => {
    expect(indexOfBytes(enc(text), enc(pattern))).toBe(index);
  });

  it('matches a naive reference on random small-alphabet arrays', () => {
    fc.assert(
      fc.property(smallAlphabet(30), smallAlphabet(6), (text, pattern) => {
        expect(indexOfBytes(text, pattern)).toBe(naiveIndexOf(text, pattern));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds a pattern cut from the text where the naive search does', () => {
    fc.assert(
      fc.property(smallAlphabet(30), fc.nat(), fc.nat(), (text, a, b) => {
        const start = a % (text.length + 1);
        const end = start + (b % (text.length - start + 1));
        const pattern = text.slice(start, end);
        const index = indexOfBytes(text, pattern);
        expect(index).toBe(naiveIndexOf(text, pattern));
        expect(index).toBeLessThanOrEqual(start);
      }),
      { numRuns: 1000 },
    );
  });
});


describe('smallestPeriod', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['aaaa', 1],
    ['y\ny\ny\n', 2],
    ['abcab', 3],
    ['abcd', 4],
  ])('%j → %i', (text, period) => {
    expect(smallestPeriod(enc(text))).toBe(period);
  });
});

// ---------------------------------------------------------------------------------------------
// ChunkLengths and ReplayCursor

describe('ChunkLengths', () => {
  it('keeps the chunks that lie wholly within the capacity, oldest first', () => {
    const lengths = new ChunkLengths(10);
    for (const length of [4, 3, 0, 2]) lengths.push(length);
    expect(lengths.snapshot()).toEqual([4, 3, 2]);
    lengths.push(2);
    expect(lengths.snapshot()).toEqual([3, 2, 2]);
    expect(lengths.bytes).toBe(7);
    lengths.push(11);
    expect(lengths.snapshot()).toEqual([]);
  });

  it('stays exact over many chunks (compaction)', () => {
    const lengths = new ChunkLengths(100);
    for (let i = 0; i < 5000; i += 1) lengths.push((i % 7) + 1);
    const all = Array.from({ length: 5000 }, (_, i) => (i % 7) + 1);
    const kept: number[] = [];
    let sum = 0;
    for (let i = all.length - 1; i >= 0 && sum + (all[i] ?? 0) <= 100; i -= 1) {
      sum += all[i] ?? 0;
      kept.unshift(all[i] ?? 0);
    }
    expect(lengths.snapshot()).toEqual(kept);
  });

  it('stays exact when it grows after old chunks were forgotten (large chunks, then many small ones)', () => {
    const lengths = new ChunkLengths(1000);
    const all: number[] = [];
    const push = (length: number): void => {
      lengths.push(length);
      all.push(length);
    };
    for (let i = 0; i < 40; i += 1) push(90 + (i % 11));
    for (let i = 0; i < 900; i += 1) push((i % 3) + 1);
    for (let i = 0; i < 30; i += 1) push(60 + i);
    const kept: number[] = [];
    let sum = 0;
    for (let i = all.length - 1; i >= 0 && sum + (all[i] ?? 0) <= 1000; i -= 1) {
      sum += all[i] ?? 0;
      kept.unshift(all[i] ?? 0);
    }
    expect(lengths.snapshot()).toEqual(kept);
    expect(lengths.bytes).toBe(sum);
    expect(lengths.newest).toBe(89);
  });
});

describe('ReplayCursor', () => {
  it('defaults to the server ring of 256 KiB and a shape found from the frames', () => {
    expect(DEFAULT_RING_BYTES).toBe(262_144);
    const cursor = new ReplayCursor();
    expect(cursor.ringBytes).toBe(262_144);
    expect(cursor.shape).toBeUndefined();
    expect(cursor.planShape('stdout', new Uint8Array(262_144))).toBe('ring');
    expect(cursor.shape).toBe('ring');
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects ringBytes %s with a RangeError', (ringBytes) => {
    expect(() => new ReplayCursor(ringBytes)).toThrow(new RangeError(`ReplayCursor: ringBytes must be a positive integer number of bytes, got ${ringBytes}`));
  });

  it('rejects an unknown shape with a TypeError', () => {
    expect(() => new ReplayCursor(8, 'lines' as never)).toThrow(new TypeError("ReplayCursor: replayShape must be 'ring', 'chunks' or 'auto', got lines"));
  });

  it('counts and keeps each stream apart, with its chunk boundaries', () => {
    const cursor = new ReplayCursor(4);
    expect(cursor.deliveredBytes('stdout')).toBe(0);
    cursor.record('stdout', enc('abc'));
    cursor.record('stderr', enc('x'));
    cursor.record('stdout', enc('def'));
    expect(cursor.deliveredBytes('stdout')).toBe(6);
    expect(cursor.deliveredBytes('stderr')).toBe(1);
    expect(dec(cursor.history('stdout'))).toBe('cdef');
    expect(cursor.chunkLengths('stdout')).toEqual([3]);
    expect(dec(cursor.history('stderr'))).toBe('x');
  });

  it('returns the history as a copy', () => {
    const cursor = new ReplayCursor(8);
    cursor.record('stdout', enc('ab'));
    cursor.history('stdout')[0] = 0;
    expect(dec(cursor.history('stdout'))).toBe('ab');
  });

  it('switches a configured ring to chunks for good when a first frame proves chunks', () => {
    const cursor = new ReplayCursor(8, 'ring');
    cursor.record('stdout', enc('abc'));
    cursor.record('stdout', enc('de'));
    expect(cursor.planShape('stdout', enc('de'))).toBe('chunks');
    expect(cursor.planShape('stdout', new Uint8Array(8))).toBe('chunks');
    expect(cursor.shape).toBe('chunks');
  });
});
