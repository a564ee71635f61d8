import { Subject, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, ExitEvent, NoticeEvent, OutputEvent } from '../../src/events.js';
import { decodeUtf8, type DecodedEvent } from '../../src/operators/decodeUtf8.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const out = (...values: number[]): OutputEvent => ({ type: 'stdout', data: Uint8Array.from(values) });
const err = (...values: number[]): OutputEvent => ({ type: 'stderr', data: Uint8Array.from(values) });
const exit: ExitEvent = { type: 'exit', exitCode: 0, source: 'frame' };
const aNotice: NoticeEvent = { type: 'notice', kind: 'server-error', message: 'x' };

type Seen = DecodedEvent | { error: unknown } | 'complete';

function collect(source: Observable<ExecEvent>): Seen[] {
  const seen: Seen[] = [];
  source.pipe(decodeUtf8()).subscribe({
    next: (event) => seen.push(event),
    error: (error: unknown) => seen.push({ error }),
    complete: () => seen.push('complete'),
  });
  return seen;
}

/** Feeds events through a subject and ends as told. */
function feed(events: readonly ExecEvent[], end: 'complete' | 'open' | { error: unknown } = 'complete'): Seen[] {
  const subject = new Subject<ExecEvent>();
  const seen = collect(subject);
  for (const event of events) subject.next(event);
  if (end === 'complete') subject.complete();
  else if (end !== 'open') subject.error(end.error);
  return seen;
}

const textOf = (seen: readonly Seen[], type: 'stdout' | 'stderr'): string =>
  seen
    .filter((event): event is DecodedEvent => typeof event === 'object' && 'type' in event && event.type === type)
    .map((event) => ('text' in event ? event.text : ''))
    .join('');

const SAMPLE = 'a€😀ü\n日本\u{10FFFF}z';
const SAMPLE_BYTES = new TextEncoder().encode(SAMPLE);

describe('decodeUtf8', () => {
  it('decodes a whole frame', () => {
    expect(feed([out(0x68, 0x69), err(0xc3, 0xbc), exit])).toEqual([
      { type: 'stdout', text: 'hi' },
      { type: 'stderr', text: 'ü' },
      exit,
      'complete',
    ]);
  });

  it('decodes the marble of its doc (euro sign split)', () => {
    createTestScheduler('exact').run(({ cold, expectObservable }) => {
      const source = cold<ExecEvent>('--a--b--x|', { a: out(0xe2, 0x82), b: out(0xac, 0x0a), x: exit });
      expectObservable(source.pipe(decodeUtf8())).toBe('-----t--x|', { t: { type: 'stdout', text: '€\n' }, x: exit });
    });
  });

  it.each(Array.from({ length: SAMPLE_BYTES.length - 1 }, (_, i) => i + 1))(
    'a split after byte %i comes out whole, without U+FFFD',
    (at) => {
      for (const make of [out, err]) {
        const seen = feed([make(...SAMPLE_BYTES.subarray(0, at)), make(...SAMPLE_BYTES.subarray(at)), exit]);
        const type = make === out ? 'stdout' : 'stderr';
        expect(textOf(seen, type)).toBe(SAMPLE);
        for (const event of seen) {
          if (typeof event === 'object' && 'text' in event) {
            expect(event.text).not.toContain('\uFFFD');
            expect(event.text).not.toBe('');
          }
        }
      }
    },
  );

  it('every pair of split points comes out whole', () => {
    const n = SAMPLE_BYTES.length;
    for (let i = 0; i <= n; i += 1) {
      for (let j = i; j <= n; j += 1) {
        const seen = feed([out(...SAMPLE_BYTES.subarray(0, i)), out(...SAMPLE_BYTES.subarray(i, j)), out(...SAMPLE_BYTES.subarray(j))]);
        expect(textOf(seen, 'stdout')).toBe(SAMPLE);
      }
    }
  });

  it('one byte per frame: emits each character once it is complete, nothing before', () => {
    const seen = feed([out(0xe2), out(0x82), out(0xac), out(0xf0), out(0x9f), out(0x98), out(0x80)], 'open');
    expect(seen).toEqual([
      { type: 'stdout', text: '€' },
      { type: 'stdout', text: '😀' },
    ]);
  });

  it('keeps one decoder per stream', () => {
    const seen = feed([out(0xf0, 0x9f), err(0xe2, 0x82), out(0x98, 0x80), err(0xac)], 'open');
    expect(seen).toEqual([
      { type: 'stdout', text: '😀' },
      { type: 'stderr', text: '€' },
    ]);
  });

  it('a partial stdout char does not absorb stderr ASCII', () => {
    const seen = feed([out(0xe2), err(0x41), out(0x82, 0xac)], 'open');
    expect(seen).toEqual([
      { type: 'stderr', text: 'A' },
      { type: 'stdout', text: '€' },
    ]);
  });

  it('flushes an unfinished char as U+FFFD before the exit event', () => {
    expect(feed([out(0x41, 0xe2, 0x82), exit])).toEqual([{ type: 'stdout', text: 'A' }, { type: 'stdout', text: '\uFFFD' }, exit, 'complete']);
  });

  it('flushes both streams, stdout first, before exit', () => {
    expect(feed([err(0xf0, 0x9f, 0x98), out(0xc3), exit], 'open')).toEqual([
      { type: 'stdout', text: '\uFFFD' },
      { type: 'stderr', text: '\uFFFD' },
      exit,
    ]);
  });

  it('flushes before an error and passes the same error', () => {
    const boom = new Error('cut');
    const seen = feed([err(0xe2)], { error: boom });
    expect(seen).toEqual([{ type: 'stderr', text: '\uFFFD' }, { error: boom }]);
    expect((seen[1] as { error: unknown }).error).toBe(boom);
  });

  it('flushes before completion', () => {
    expect(feed([out(0xe2, 0x82)])).toEqual([{ type: 'stdout', text: '\uFFFD' }, 'complete']);
  });

  it('emits nothing extra when nothing is pending', () => {
    expect(feed([out(0x61), exit])).toEqual([{ type: 'stdout', text: 'a' }, exit, 'complete']);
    expect(feed([], { error: 'x' })).toEqual([{ error: 'x' }]);
    expect(feed([])).toEqual(['complete']);
  });

  it('does not flush on notices and started events, which pass through', () => {
    const started: ExecEvent = { type: 'started', executionId: 'e' };
    expect(feed([started, out(0xe2), aNotice, out(0x82, 0xac)], 'open')).toEqual([started, aNotice, { type: 'stdout', text: '€' }]);
  });

  it('passes the exit event itself through unchanged (same object)', () => {
    const probed: ExitEvent = { type: 'exit', exitCode: -1, source: 'probe', message: 'm' };
    const seen = feed([probed], 'open');
    expect(seen[0]).toBe(probed);
  });

  it('emits nothing for an empty frame', () => {
    expect(feed([out(), err()], 'open')).toEqual([]);
  });

  it.each([
    [[0xff], '\uFFFD'],
    [[0x80], '\uFFFD'],
    [[0x41, 0xc3, 0x28], 'A\uFFFD('],
    [[0xc0, 0xaf], '\uFFFD\uFFFD'],
    [[0xed, 0xa0, 0x80], '\uFFFD\uFFFD\uFFFD'],
    [[0xf4, 0x90, 0x80, 0x80], '\uFFFD\uFFFD\uFFFD\uFFFD'],
    [[0xe2, 0x82, 0x41], '\uFFFDA'],
  ])('decodes invalid bytes %j as U+FFFD', (bytes, text) => {
    expect(textOf(feed([out(...bytes)]), 'stdout')).toBe(text);
  });

  it('an invalid continuation in the next frame gives U+FFFD then the byte', () => {
    expect(feed([out(0xe2), out(0x41)], 'open')).toEqual([{ type: 'stdout', text: '\uFFFDA' }]);
  });

  it('keeps the state per subscription', () => {
    const operator = decodeUtf8();
    const a = new Subject<ExecEvent>();
    const b = new Subject<ExecEvent>();
    const seenA: DecodedEvent[] = [];
    const seenB: DecodedEvent[] = [];
    a.pipe(operator).subscribe((event) => seenA.push(event));
    b.pipe(operator).subscribe((event) => seenB.push(event));
    a.next(out(0xe2, 0x82));
    b.next(out(0x41));
    a.next(out(0xac));
    expect(seenA).toEqual([{ type: 'stdout', text: '€' }]);
    expect(seenB).toEqual([{ type: 'stdout', text: 'A' }]);
  });

  it('unsubscribing unsubscribes from the source', () => {
    const subject = new Subject<ExecEvent>();
    const subscription = subject.pipe(decodeUtf8()).subscribe();
    expect(subject.observed).toBe(true);
    subscription.unsubscribe();
    expect(subject.observed).toBe(false);
  });
});

describe('decodeUtf8: byte-order mark', () => {
  it('keeps a leading BOM, split across frames', () => {
    const seen: DecodedEvent[] = [];
    const source = new Subject<ExecEvent>();
    source.pipe(decodeUtf8()).subscribe((event) => seen.push(event));
    source.next(out(0xef, 0xbb));
    source.next(out(0xbf, 0x62));
    source.next(exit);
    expect(seen).toEqual([{ type: 'stdout', text: '\uFEFFb' }, exit]);
  });
});
