import fc from 'fast-check';
import { Subject, from, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { alignReplay, type Alignment, indexOfBytes, suffixPrefixOverlaps, type AlignInput } from '../../src/delivery/alignReplay.js';
import { ByteHistory } from '../../src/delivery/byteHistory.js';
import { DEFAULT_RING_BYTES, ReplayCursor } from '../../src/delivery/replayCursor.js';
import type { ExecEvent, ExitEvent, NoticeEvent, OutputEvent } from '../../src/events.js';
import { skipReplayed } from '../../src/operators/skipReplayed.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const out = (text: string): OutputEvent => ({ type: 'stdout', data: enc(text) });
const err = (text: string): OutputEvent => ({ type: 'stderr', data: enc(text) });
const exit: ExitEvent = { type: 'exit', exitCode: 0, source: 'frame' };

/** Splits `text` into frames of `size` characters (ASCII). */
const chunked = (make: (text: string) => OutputEvent, text: string, size: number): OutputEvent[] => {
  const frames: OutputEvent[] = [];
  for (let i = 0; i < text.length; i += size) frames.push(make(text.slice(i, i + size)));
  return frames;
};

// ---------------------------------------------------------------------------------------------
// ByteHistory

function naiveTail(all: number[], capacity: number): number[] {
  return capacity === 0 ? [] : all.slice(Math.max(0, all.length - capacity));
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
            const expected = naiveTail(all, capacity);
            expect(history.size).toBe(expected.length);
            expect(Array.from(history.snapshot())).toEqual(expected);
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
            const expected = naiveTail(all, capacity);
            expect(history.size).toBe(expected.length);
            expect(Array.from(history.snapshot())).toEqual(expected);
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

// ---------------------------------------------------------------------------------------------
// alignReplay

type AlignFields = {
  stream?: 'stdout' | 'stderr';
  delivered: number;
  history: string;
  ringBytes: number;
  replay: string;
  ended?: boolean;
  settled?: boolean;
};

function alignOrWait(fields: AlignFields): Alignment | 'undecided' {
  const input: AlignInput = {
    stream: fields.stream ?? 'stdout',
    delivered: fields.delivered,
    history: enc(fields.history),
    ringBytes: fields.ringBytes,
    replay: enc(fields.replay),
    ended: fields.ended ?? false,
    settled: fields.settled ?? false,
  };
  return alignReplay(input);
}

function align(fields: AlignFields): Alignment {
  const result = alignOrWait(fields);
  if (result === 'undecided') throw new Error('alignReplay was undecided');
  return result;
}

const shortMatch = (stream: string, length: number, ring: number, delivered: number) => ({
  type: 'notice',
  kind: 'output-lost',
  message: `${stream}: the replay matches the delivered output on only ${length} bytes, too few to rule out that the server's ${ring}-byte buffer wrapped past byte ${delivered}; output before the replay may be missing`,
  stream,
});

describe('alignReplay', () => {
  it('A: a replay from the start, shorter than a ring, is undecided until known complete', () => {
    expect(alignOrWait({ delivered: 3, history: 'abc', ringBytes: 64, replay: 'abcdef' })).toBe('undecided');
  });

  it('A: a complete replay from the start skips exactly the delivered bytes', () => {
    const result = align({ delivered: 3, history: 'abc', ringBytes: 64, replay: 'abcdef', settled: true });
    expect(result).toEqual({ skip: 3 });
    expect('notice' in result).toBe(false);
  });

  it('A with several overlaps and a replay shorter than a ring: undecided until the replay is known complete', () => {
    expect(alignOrWait({ delivered: 2, history: 'aa', ringBytes: 64, replay: 'aaa' })).toBe('undecided');
    expect(alignOrWait({ delivered: 4, history: 'abab', ringBytes: 64, replay: 'ababab' })).toBe('undecided');
  });

  it('A with several overlaps, once the replay settled shorter than a ring: exact', () => {
    expect(align({ delivered: 2, history: 'aa', ringBytes: 64, replay: 'aaa', settled: true })).toEqual({ skip: 2 });
    expect(align({ delivered: 4, history: 'abab', ringBytes: 64, replay: 'ababab', ended: true, settled: true })).toEqual({ skip: 4 });
  });

  it('A, cut before the replay was known complete: nothing delivered (the next attach replays it)', () => {
    expect(align({ delivered: 2, history: 'aa', ringBytes: 64, replay: 'aaa', ended: true })).toEqual({ skip: 3 });
    expect(align({ delivered: 3, history: 'abc', ringBytes: 64, replay: 'abcdef', ended: true })).toEqual({ skip: 6 });
  });

  it('A: a full-ring replay with a unique overlap of 32 bytes or more is exact', () => {
    const delivered = 'x'.repeat(31) + 'y';
    expect(align({ delivered: 32, history: delivered, ringBytes: 40, replay: `${delivered}01234567` })).toEqual({ skip: 32 });
  });

  it('A: a full-ring replay with a short unique overlap is skipped, with output-lost (it may be chance)', () => {
    expect(align({ delivered: 3, history: 'abc', ringBytes: 6, replay: 'abcdef' })).toEqual({
      skip: 3,
      notice: shortMatch('stdout', 3, 6, 3),
    });
  });

  it('A: the replay equal to the history skips it all', () => {
    expect(align({ delivered: 3, history: 'abc', ringBytes: 64, replay: 'abc', ended: true })).toEqual({ skip: 3 });
  });

  it('A with other overlaps and a full-ring replay → skip the smallest, replay-overlap-unknown', () => {
    expect(align({ delivered: 4, history: 'abab', ringBytes: 6, replay: 'ababab' })).toEqual({
      skip: 2,
      notice: {
        type: 'notice',
        kind: 'replay-overlap-unknown',
        message: 'stdout: the replay could not be aligned exactly; up to 2 bytes may repeat, or output before the replay may be missing',
        stream: 'stdout',
        bytes: 2,
      },
    });
  });

  it('B: a wrapped ring with one overlap of 32 bytes or more skips it, without a notice', () => {
    // 48 distinct bytes delivered, a 40-byte ring; 8 more written: the ring holds bytes 16..55
    const all = Array.from({ length: 56 }, (_, i) => String.fromCharCode(48 + i)).join('');
    const result = align({ delivered: 48, history: all.slice(8, 48), ringBytes: 40, replay: all.slice(16, 56) });
    expect(result).toEqual({ skip: 32 });
    expect('notice' in result).toBe(false);
  });

  it('B: a wrapped ring with one short overlap skips it, with output-lost (it may be chance)', () => {
    // delivered "abcdefghij" (history = last 6), then "kl": the ring holds "ghijkl"
    expect(align({ delivered: 10, history: 'efghij', ringBytes: 6, replay: 'ghijkl' })).toEqual({
      skip: 4,
      notice: shortMatch('stdout', 4, 6, 10),
    });
  });

  it('B: the ring wrapped before the server saw new output: skip the whole replay', () => {
    expect(align({ delivered: 100, history: 'abcdef', ringBytes: 6, replay: 'abcdef' })).toMatchObject({ skip: 6 });
  });

  it('B: a wrapped ring with a unique overlap inside a not-full history (delivered < ring)', () => {
    // delivered "abcdef" (ring 8); 6 more bytes "ghijkl": the ring holds "efghijkl"
    expect(align({ delivered: 6, history: 'abcdef', ringBytes: 8, replay: 'efghij' })).toMatchObject({ skip: 2 });
  });

  it('B with no overlap → everything delivered, output-lost', () => {
    expect(align({ delivered: 10, history: 'efghij', ringBytes: 6, replay: 'mnopqr' })).toEqual({
      skip: 0,
      notice: {
        type: 'notice',
        kind: 'output-lost',
        message: "stdout: the server's 6-byte buffer wrapped while disconnected; output after byte 10 before the replay is missing",
        stream: 'stdout',
      },
    });
  });

  it('B with several overlaps → the smallest, replay-overlap-unknown naming the stream', () => {
    expect(align({ stream: 'stderr', delivered: 10, history: 'xxabab', ringBytes: 6, replay: 'ababzz' })).toEqual({
      skip: 2,
      notice: {
        type: 'notice',
        kind: 'replay-overlap-unknown',
        message: 'stderr: the replay could not be aligned exactly; up to 2 bytes may repeat, or output before the replay may be missing',
        stream: 'stderr',
        bytes: 2,
      },
    });
  });

  it('B with many overlaps of one byte value: skip 1, up to n-1 may repeat', () => {
    const result = align({ delivered: 20, history: 'zzzzz', ringBytes: 5, replay: 'zzzzz' });
    expect(result.skip).toBe(1);
    expect(result.notice?.kind).toBe('replay-overlap-unknown');
    expect(result.notice?.bytes).toBe(4);
  });

  it('ended early with the replay found in the history → skip all of it', () => {
    expect(align({ delivered: 6, history: 'abcdef', ringBytes: 64, replay: 'ab', ended: true })).toEqual({ skip: 2 });
    expect(align({ delivered: 6, history: 'abcdef', ringBytes: 64, replay: 'cde', ended: true })).toEqual({ skip: 3 });
    expect(align({ delivered: 60, history: 'abcdef', ringBytes: 6, replay: 'def', ended: true })).toEqual({ skip: 3 });
  });

  it('ended early with new bytes → aligned by overlap, the new bytes kept', () => {
    expect(align({ delivered: 10, history: 'efghij', ringBytes: 6, replay: 'ijX', ended: true })).toMatchObject({ skip: 2 });
  });

  it('ended early, not found, no overlap → output-lost', () => {
    const result = align({ delivered: 10, history: 'efghij', ringBytes: 6, replay: 'XYZ', ended: true });
    expect(result.skip).toBe(0);
    expect(result.notice?.kind).toBe('output-lost');
  });

  it('not ended: a short replay inside the history is not skipped by the early-end rule', () => {
    // the early-end rule needs `ended`; here no suffix of the history starts the replay
    const result = align({ delivered: 10, history: 'efghij', ringBytes: 6, replay: 'fgh' });
    expect(result.skip).toBe(0);
    expect(result.notice?.kind).toBe('output-lost');
  });
});

// ---------------------------------------------------------------------------------------------
// ReplayCursor

describe('ReplayCursor', () => {
  it('defaults to the server ring of 256 KiB', () => {
    expect(DEFAULT_RING_BYTES).toBe(262_144);
    expect(new ReplayCursor().ringBytes).toBe(262_144);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects ringBytes %s with a RangeError', (ringBytes) => {
    let caught: unknown;
    try {
      new ReplayCursor(ringBytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect((caught as Error).name).toBe('RangeError');
    expect((caught as Error).message).toBe(`ringBytes must be a positive integer, got ${ringBytes}`);
  });

  it('counts and keeps each stream apart', () => {
    const cursor = new ReplayCursor(4);
    expect(cursor.deliveredBytes('stdout')).toBe(0);
    cursor.record('stdout', enc('abc'));
    cursor.record('stderr', enc('x'));
    cursor.record('stdout', enc('def'));
    expect(cursor.deliveredBytes('stdout')).toBe(6);
    expect(cursor.deliveredBytes('stderr')).toBe(1);
    expect(dec(cursor.history('stdout'))).toBe('cdef');
    expect(dec(cursor.history('stderr'))).toBe('x');
  });

  it('returns the history as a copy', () => {
    const cursor = new ReplayCursor(8);
    cursor.record('stdout', enc('ab'));
    cursor.history('stdout')[0] = 0;
    expect(dec(cursor.history('stdout'))).toBe('ab');
  });
});

// ---------------------------------------------------------------------------------------------
// skipReplayed

type Seen = ExecEvent | { error: unknown } | 'complete';

/** One attach: feeds `events` through `skipReplayed(cursor)` and ends as told. */
function attach(cursor: ReplayCursor, events: readonly ExecEvent[], end: 'complete' | 'open' | { error: unknown } = 'complete'): Seen[] {
  const subject = new Subject<ExecEvent>();
  const seen: Seen[] = [];
  (subject as Observable<ExecEvent>).pipe(skipReplayed(cursor)).subscribe({
    next: (event) => seen.push(event),
    error: (error: unknown) => seen.push({ error }),
    complete: () => seen.push('complete'),
  });
  for (const event of events) subject.next(event);
  if (end === 'complete') subject.complete();
  else if (end !== 'open') subject.error(end.error);
  return seen;
}

const streamText = (seen: readonly Seen[], type: 'stdout' | 'stderr'): string =>
  seen
    .filter((event): event is OutputEvent => typeof event === 'object' && 'type' in event && event.type === type)
    .map((event) => dec(event.data))
    .join('');

const notices = (seen: readonly Seen[]): NoticeEvent[] =>
  seen.filter((event): event is NoticeEvent => typeof event === 'object' && 'type' in event && event.type === 'notice');

describe('skipReplayed', () => {
  it('first attach: passes everything through unchanged and records it', () => {
    const cursor = new ReplayCursor(64);
    const events: ExecEvent[] = [{ type: 'started', executionId: 'e' }, out('hel'), err('E'), out('lo '), exit];
    const seen = attach(cursor, events);
    expect(seen).toEqual([...events, 'complete']);
    expect((seen[1] as OutputEvent).data).toBe((events[1] as OutputEvent).data);
    expect(cursor.deliveredBytes('stdout')).toBe(6);
    expect(cursor.deliveredBytes('stderr')).toBe(1);
    expect(dec(cursor.history('stdout'))).toBe('hello ');
  });

  it('first attach (marble): same frames, same times', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const values = { a: out('ab'), b: err('c'), x: exit };
      expectObservable(cold<ExecEvent>('-a-b-x|', values).pipe(skipReplayed(new ReplayCursor(64)))).toBe('-a-b-x|', values);
    });
  });

  it('re-attach (marble from the doc): the replayed prefix is dropped once the replay is known complete', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64, 2);
      cursor.record('stdout', enc('ab'));
      const source = cold<ExecEvent>('--a-----d------x|', { a: out('abc'), d: out('d'), x: exit });
      expectObservable(source.pipe(skipReplayed(cursor))).toBe('--------(cd)---x|', { c: out('c'), d: out('d'), x: exit });
    });
  });

  it('re-attach with the whole ring in one frame delivers exactly the new bytes', () => {
    const cursor = new ReplayCursor(64);
    attach(cursor, [out('hello '), err('warn ')], 'open');
    const seen = attach(cursor, [out('hello world'), err('warn more'), out('!'), exit]);
    expect(seen).toEqual([out('world!'), err('more'), exit, 'complete']);
    expect(cursor.deliveredBytes('stdout')).toBe(12);
    expect(dec(cursor.history('stdout'))).toBe('hello world!');
  });

  it.each([1, 2, 3, 4, 5, 7])('re-attach with the ring replayed in frames of %i bytes delivers exactly the new bytes', (size) => {
    const cursor = new ReplayCursor(64);
    attach(cursor, chunked(out, 'hello ', 4), { error: new Error('cut') });
    const seen = attach(cursor, [...chunked(out, 'hello world', size), out(' live'), exit]);
    expect(streamText(seen, 'stdout')).toBe('world live');
    expect(notices(seen)).toEqual([]);
    expect(seen.at(-2)).toEqual(exit);
    expect(cursor.deliveredBytes('stdout')).toBe(16);
  });

  it('holds bytes until the replay is known complete; the cursor moves only on delivery', () => {
    const cursor = new ReplayCursor(64);
    attach(cursor, [out('abcdef')], 'open');
    const subject = new Subject<ExecEvent>();
    const seen: ExecEvent[] = [];
    subject.pipe(skipReplayed(cursor)).subscribe((event) => seen.push(event));
    subject.next(out('abc'));
    subject.next(out('de'));
    subject.next(out('fgh'));
    expect(seen).toEqual([]);
    expect(cursor.deliveredBytes('stdout')).toBe(6);
    subject.next(exit);
    expect(seen).toEqual([out('gh'), exit]);
    expect(cursor.deliveredBytes('stdout')).toBe(8);
  });

  it('notices and started pass through at once while bytes are held', () => {
    const cursor = new ReplayCursor(64);
    attach(cursor, [out('abcdef')], 'open');
    const note: NoticeEvent = { type: 'notice', kind: 'server-error', message: 'x' };
    expect(attach(cursor, [out('abc'), note, out('defZ')], 'open')).toEqual([note]);
    expect(attach(cursor, [out('abc'), note, out('defZ')])).toEqual([note, out('Z'), 'complete']);
  });

  it('a stream that delivered nothing is not held on re-attach', () => {
    const cursor = new ReplayCursor(64);
    attach(cursor, [out('abc')], 'open');
    expect(attach(cursor, [err('E'), out('abcd')])).toEqual([err('E'), out('d'), 'complete']);
  });

  it('a wrapped ring is aligned by content', () => {
    const cursor = new ReplayCursor(8);
    attach(cursor, [out('abcde'), out('fghij')], 'open'); // history "cdefghij"
    // 2 more bytes "kl" while detached: the ring holds "efghijkl"
    expect(streamText(attach(cursor, [out('efghijkl'), exit]), 'stdout')).toBe('kl');
    const cursor2 = new ReplayCursor(8);
    attach(cursor2, [out('abcdefghij')], 'open');
    expect(streamText(attach(cursor2, [...chunked(out, 'efghijkl', 3), exit]), 'stdout')).toBe('kl');
  });

  it('a ring that wrapped past everything delivered: output-lost, then all of the replay', () => {
    const cursor = new ReplayCursor(4);
    attach(cursor, [out('abcd')], 'open');
    const seen = attach(cursor, [out('ijkl'), exit]);
    expect(seen).toEqual([
      {
        type: 'notice',
        kind: 'output-lost',
        message: "stdout: the server's 4-byte buffer wrapped while disconnected; output after byte 4 before the replay is missing",
        stream: 'stdout',
      },
      out('ijkl'),
      exit,
      'complete',
    ]);
  });

  it('a full-ring replay of periodic output in one frame: replay-overlap-unknown, nothing lost', () => {
    const cursor = new ReplayCursor(8);
    attach(cursor, [out('aaaa')], 'open');
    // 6 more "a" while detached: the stream is 10 bytes, the ring holds the last 8
    const seen = attach(cursor, [out('aaaaaaaa'), exit]);
    expect(notices(seen).map((n) => n.kind)).toEqual(['replay-overlap-unknown']);
    expect(streamText(seen, 'stdout').length).toBeGreaterThanOrEqual(6);
  });

  // With the replay in small frames (boxlite serve sends one per stored chunk) and periodic output,
  // only the replay's length tells a wrapped ring: the bytes are held until a full ring came. Here
  // the stream is 10 × "a", 4 were delivered, the ring replays the last 8 in 1-byte frames.
  it('a full-ring replay of periodic output in small frames loses nothing silently', () => {
    const cursor = new ReplayCursor(8);
    attach(cursor, [out('aaaa')], 'open');
    const seen = attach(cursor, [...chunked(out, 'aaaaaaaa', 1), exit]);
    expect(notices(seen).map((n) => n.kind)).toEqual(['replay-overlap-unknown']);
    expect(streamText(seen, 'stdout').length).toBeGreaterThanOrEqual(6);
  });

  it('releases held bytes before the exit event', () => {
    const cursor = new ReplayCursor(8);
    attach(cursor, [out('abcdefghij')], 'open'); // history "cdefghij": 8 bytes needed
    const seen = attach(cursor, [out('XY'), out('Z'), exit]);
    expect(seen.map((event) => (typeof event === 'object' && 'type' in event ? event.type : event))).toEqual([
      'notice',
      'stdout',
      'exit',
      'complete',
    ]);
    expect(streamText(seen, 'stdout')).toBe('XYZ');
    expect(notices(seen)[0]?.kind).toBe('output-lost');
    expect(cursor.deliveredBytes('stdout')).toBe(13);
  });

  // "ij" is the only overlap with the history, too short to be trusted without a notice.
  const shortOverlapNotice = shortMatch('stdout', 2, 8, 10);

  it('releases held bytes before an error, and passes the same error', () => {
    const cursor = new ReplayCursor(8);
    attach(cursor, [out('abcdefghij')], 'open');
    const boom = new Error('cut');
    const seen = attach(cursor, [err('e'), out('ijX')], { error: boom });
    expect(seen).toEqual([err('e'), shortOverlapNotice, out('X'), { error: boom }]);
    expect((seen.at(-1) as { error: unknown }).error).toBe(boom);
  });

  it('releases held bytes before completion', () => {
    const cursor = new ReplayCursor(8);
    attach(cursor, [out('abcdefghij')], 'open');
    expect(attach(cursor, [out('ijX')])).toEqual([shortOverlapNotice, out('X'), 'complete']);
  });

  it('a cut during the replay delivers nothing twice and keeps the cursor', () => {
    const cursor = new ReplayCursor(64);
    attach(cursor, [out('hello world')], 'open');
    const boom = new Error('cut');
    expect(attach(cursor, [out('hello')], { error: boom })).toEqual([{ error: boom }]);
    expect(cursor.deliveredBytes('stdout')).toBe(11);
    // the next attach still aligns against everything delivered
    expect(streamText(attach(cursor, [out('hello world!'), exit]), 'stdout')).toBe('!');
  });

  it('an attach that held nothing adds nothing on exit', () => {
    const cursor = new ReplayCursor(64);
    attach(cursor, [out('abc')], 'open');
    expect(attach(cursor, [exit])).toEqual([exit, 'complete']);
  });

  it('three attaches in a row: every byte once (ring not wrapped, random content and frames)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 97, max: 99 }), { minLength: 1, maxLength: 60 }),
        fc.nat(),
        fc.nat(),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
        (codes, a, b, sizes) => {
          const stream = String.fromCharCode(...codes);
          const first = a % (stream.length + 1);
          const second = first + (b % (stream.length - first + 1));
          const frames = (text: string): OutputEvent[] => {
            const result: OutputEvent[] = [];
            for (let i = 0, k = 0; i < text.length; k += 1) {
              const size = sizes[k % sizes.length] ?? 1;
              result.push(out(text.slice(i, i + size)));
              i += size;
            }
            return result;
          };
          const cursor = new ReplayCursor(64); // > 60: the ring never fills, alignment is exact
          let delivered = '';
          delivered += streamText(attach(cursor, frames(stream.slice(0, first)), { error: new Error('cut') }), 'stdout');
          delivered += streamText(attach(cursor, frames(stream.slice(0, second)), { error: new Error('cut') }), 'stdout');
          const last = attach(cursor, [...frames(stream), exit]);
          delivered += streamText(last, 'stdout');
          expect(delivered).toBe(stream);
          expect(notices(last)).toEqual([]);
          expect(cursor.deliveredBytes('stdout')).toBe(stream.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps the held state per subscription but shares the cursor', () => {
    const cursor = new ReplayCursor(64);
    const operator = skipReplayed(cursor);
    const first = new Subject<ExecEvent>();
    const seen: ExecEvent[] = [];
    first.pipe(operator).subscribe((event) => seen.push(event));
    first.next(out('ab'));
    first.complete();
    const second = new Subject<ExecEvent>();
    second.pipe(operator).subscribe((event) => seen.push(event));
    second.next(out('abc'));
    second.complete();
    expect(seen).toEqual([out('ab'), out('c')]);
  });
});

describe('skipReplayed: a periodic replay in small frames settles', () => {
  it('holds the bytes until a frame comes after replaySettle ms of quiet, then delivers exactly the new ones and goes live', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64, 10);
      cursor.record('stdout', enc('aaaa'));
      const a: ExecEvent = { type: 'stdout', data: enc('a') };
      // Bytes at 1..11 are the replay; the one at 20 is held too (a gap of 9 < 10); the one at 35
      // comes after 15 ms of quiet: live, so the held "aaaaaaa" was the whole replay.
      const replay = cold<ExecEvent>('-a-a-a-a-a-a--------a--------------a-', { a });
      const expected = '-----------------------------------(na)-';
      expectObservable(replay.pipe(skipReplayed(cursor))).toBe(expected, { a, n: { type: 'stdout', data: enc('aaa') } });
    });
  });

  it('never settles on a stalled socket: cut while held, nothing is delivered', () => {
    const cursor = new ReplayCursor(64, 10);
    cursor.record('stdout', enc('aaaa'));
    const seen = attach(cursor, [out('aaaaaa')], { error: new Error('cut') });
    expect(seen).toEqual([{ error: new Error('cut') }]);
    expect(cursor.deliveredBytes('stdout')).toBe(4);
  });

  it('decides at once when a full ring came: the ring may have wrapped, so it announces', () => {
    const cursor = new ReplayCursor(8, 10_000);
    cursor.record('stdout', enc('aaaa'));
    const seen: ExecEvent[] = [];
    from(Array.from({ length: 8 }, (): ExecEvent => ({ type: 'stdout', data: enc('a') })))
      .pipe(skipReplayed(cursor))
      .subscribe((event) => seen.push(event));
    expect(seen.map((event) => (event.type === 'notice' ? event.kind : event.type))).toEqual(['replay-overlap-unknown', 'stdout']);
  });
});
