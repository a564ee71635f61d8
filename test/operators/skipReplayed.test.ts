/**
 * `skipReplayed` on virtual time: every new byte leaves in the frame-time it arrived, the replay is
 * decided at its first frame, and every uncertain case is announced.
 */
import type { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { headMayBeMissing, overlapUnknown, runBroke } from '../../src/delivery/notices.js';
import { ReplayCursor } from '../../src/delivery/replayCursor.js';
import type { ExecEvent, OutputEvent } from '../../src/events.js';
import { skipReplayed } from '../../src/operators/skipReplayed.js';
import { createTestScheduler } from '../support/marbleHarness.js';
import { realisticOutput } from '../support/realisticOutput.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const out = (data: Uint8Array | string): OutputEvent => ({ type: 'stdout', data: typeof data === 'string' ? enc(data) : data });
const err = (text: string): OutputEvent => ({ type: 'stderr', data: enc(text) });
const exit: ExecEvent = { type: 'exit', exitCode: 0, source: 'frame' };
const scheduler = (): TestScheduler => createTestScheduler('exact');

/** Distinct log chunks of about `size` bytes each. */
const logChunks = (count: number, size: number): Uint8Array[] =>
  Array.from({ length: count }, (_, i) => Uint8Array.from(realisticOutput('logs', size, 100 + i).flatMap((chunk) => [...chunk]).slice(0, size)));

function deliver(cursor: ReplayCursor, ...events: OutputEvent[]): void {
  for (const event of events) cursor.record(event.type, event.data);
}

describe('skipReplayed: the Go runner (one ring frame per stream)', () => {
  it('first attach: every frame passes unchanged, at its own time, and is recorded', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64, 'ring');
      const values = { a: out('ab'), b: err('c'), x: exit };
      expectObservable(cold<ExecEvent>('-a-b-x|', values).pipe(skipReplayed(cursor))).toBe('-a-b-x|', values);
    });
  });

  it('re-attach to a running process: the delivered prefix skipped at the first frame, live output at once', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64, 'ring');
      deliver(cursor, out('ab'));
      const source = cold<ExecEvent>('--R-----d-------x|', { R: out('abc'), d: out('d'), x: exit });
      expectObservable(source.pipe(skipReplayed(cursor))).toBe('--c-----d-------x|', { c: out('c'), d: out('d'), x: exit });
    });
  });

  it('a prompt written while away shows at once, with no output after it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64, 'ring');
      deliver(cursor, out('$ ls\nfile\n'));
      const source = cold<ExecEvent>('-R------', { R: out('$ ls\nfile\nprompt> ') });
      expectObservable(source.pipe(skipReplayed(cursor))).toBe('-p------', { p: out('prompt> ') });
    });
  });

  it('each stream is decided at its own first frame; a stream that delivered nothing passes whole', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64, 'ring');
      deliver(cursor, out('hello '));
      const source = cold<ExecEvent>('-e-R-x|', { e: err('warn'), R: out('hello world'), x: exit });
      expectObservable(source.pipe(skipReplayed(cursor))).toBe('-e-w-x|', { e: err('warn'), w: out('world'), x: exit });
    });
  });

  it('a replay of nothing new emits nothing for that frame', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64, 'ring');
      deliver(cursor, out('abc'));
      expectObservable(cold<ExecEvent>('-R-x|', { R: out('abc'), x: exit }).pipe(skipReplayed(cursor))).toBe('---x|', { x: exit });
    });
  });

  it('a first frame that fills the ring on a stream with nothing delivered: output-lost right before it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(8, 'ring');
      const full = out('12345678');
      expectObservable(cold<ExecEvent>('-R-----x|', { R: full, x: exit }).pipe(skipReplayed(cursor))).toBe('-(nR)--x|', {
        n: headMayBeMissing('stdout', 8),
        R: full,
        x: exit,
      });
    });
  });

  it('a periodic full ring: delivered whole, at once, after replay-overlap-unknown', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(8, 'ring');
      deliver(cursor, out('y\ny\n'));
      const R = out('y\ny\ny\ny\n');
      expectObservable(cold<ExecEvent>('-R-----x|', { R, x: exit }).pipe(skipReplayed(cursor))).toBe('-(nR)--x|', {
        n: overlapUnknown('stdout', 4),
        R,
        x: exit,
      });
    });
  });

  it('the cursor moves only as bytes are handed on, and is shared by later attaches', () => {
    const cursor = new ReplayCursor(64, 'ring');
    const seen: ExecEvent[] = [];
    scheduler().run(({ cold }) => {
      cold<ExecEvent>('-a-#', { a: out('hel') }).pipe(skipReplayed(cursor)).subscribe({ next: (e) => seen.push(e), error: () => undefined });
    });
    expect(cursor.deliveredBytes('stdout')).toBe(3);
    scheduler().run(({ cold }) => {
      cold<ExecEvent>('-R-x|', { R: out('hello\n'), x: exit }).pipe(skipReplayed(cursor)).subscribe((e) => seen.push(e));
    });
    expect(cursor.deliveredBytes('stdout')).toBe(6);
    expect(seen).toEqual([out('hel'), out('lo\n'), exit]);
  });

  it('a ring replay shorter than what was delivered switches the execution to chunks', () => {
    const cursor = new ReplayCursor(64, 'ring');
    deliver(cursor, out('line 1\n'), out('line 2\n'));
    const seen: ExecEvent[] = [];
    scheduler().run(({ cold }) => {
      cold<ExecEvent>('-a-b-c-x|', { a: out('line 1\n'), b: out('line 2\n'), c: out('line 3\n'), x: exit })
        .pipe(skipReplayed(cursor))
        .subscribe((event) => seen.push(event));
    });
    expect(cursor.shape).toBe('chunks');
    expect(seen).toEqual([overlapUnknown('stdout', 14), out('line 1\n'), out('line 2\n'), out('line 3\n'), exit]);
  });
});

describe('skipReplayed: boxlite serve (one frame per stored chunk)', () => {
  const [a, b, c, d] = logChunks(4, 3000) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];

  it('a run of delivered chunks that is a distinct overlap: skipped frame by frame; new chunks at their own times', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64 * 1024, 'chunks');
      deliver(cursor, out(a), out(b));
      const source = cold<ExecEvent>('-a-b-c---d-x|', { a: out(a), b: out(b), c: out(c), d: out(d), x: exit });
      expectObservable(source.pipe(skipReplayed(cursor))).toBe('-----c---d-x|', { c: out(c), d: out(d), x: exit });
    });
  });

  it('a run that stops matching: the held chunks are delivered after a notice, in order, at the breaking frame', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64 * 1024, 'chunks');
      deliver(cursor, out(a), out(b), out(c));
      const source = cold<ExecEvent>('-a-b-d-------x|', { a: out(a), b: out(b), d: out(d), x: exit });
      expectObservable(source.pipe(skipReplayed(cursor))).toBe('-----(nabd)--x|', {
        n: runBroke('stdout', 9000),
        a: out(a),
        b: out(b),
        d: out(d),
        x: exit,
      });
    });
  });

  it('the exit frame before the run ends: the held chunks are delivered after a notice, before the exit', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64 * 1024, 'chunks');
      deliver(cursor, out(a), out(b), out(c));
      const source = cold<ExecEvent>('-a-x-----|', { a: out(a), x: exit });
      expectObservable(source.pipe(skipReplayed(cursor))).toBe('---(nax)-|', { n: runBroke('stdout', 9000), a: out(a), x: exit });
    });
  });

  it('a cut during the run: the matched chunks were delivered already; the error passes', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(64 * 1024, 'chunks');
      deliver(cursor, out(a), out(b), out(c));
      const cut = new Error('cut');
      expectObservable(cold<ExecEvent>('-a-b-#', { a: out(a), b: out(b) }, cut).pipe(skipReplayed(cursor))).toBe('-----#', {}, cut);
      expect(cursor.deliveredBytes('stdout')).toBe(9000);
    });
  });

  it('nothing delivered, a burst that reaches the buffer: output-lost before the frame that reaches it', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(8, 'chunks');
      const values = { p: out('abc'), q: out('def'), r: out('g'), x: exit };
      expectObservable(cold<ExecEvent>('-(pq)--r-x|', values).pipe(skipReplayed(cursor))).toBe('-(pnq)-r-x|', {
        ...values,
        n: headMayBeMissing('stdout', 8),
      });
    });
  });

  it('nothing delivered, frames far apart (live output, not a burst): no notice however many bytes', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const cursor = new ReplayCursor(8, 'chunks');
      const values = { p: out('abcd'), q: out('efgh'), r: out('ijkl'), x: exit };
      expectObservable(cold<ExecEvent>('-p 300ms q 300ms r-x|', values).pipe(skipReplayed(cursor))).toBe('-p 300ms q 300ms r-x|', values);
    });
  });

  describe('a drain (the process ended: the exit frame follows the whole backlog)', () => {
    const drained = (cursor: ReplayCursor) => skipReplayed(cursor, { drain: true });

    it('a short run from the stream\'s first chunk, in a backlog that fits: proven at the exit frame, exact', () => {
      scheduler().run(({ cold, expectObservable }) => {
        const cursor = new ReplayCursor(64, 'chunks');
        deliver(cursor, out('line 1\n'), out('line 2\n'));
        const source = cold<ExecEvent>('-a-b-c-x-----|', { a: out('line 1\n'), b: out('line 2\n'), c: out('line 3\n'), x: exit });
        expectObservable(source.pipe(drained(cursor))).toBe('-------(cx)--|', { c: out('line 3\n'), x: exit });
      });
    });

    it('cut before its exit frame: every frame it received, after a notice that some may repeat', () => {
      scheduler().run(({ cold, expectObservable }) => {
        const cursor = new ReplayCursor(64, 'chunks');
        deliver(cursor, out('line 1\n'));
        const cut = new Error('cut');
        const source = cold<ExecEvent>('-a-c-#', { a: out('line 1\n'), c: out('line 3\n') }, cut);
        expectObservable(source.pipe(drained(cursor))).toBe('-----(nac#)', { n: overlapUnknown('stdout', 7), a: out('line 1\n'), c: out('line 3\n') }, cut);
      });
    });

    it('a backlog that grows past the buffer: the proof fails at once, every frame after a notice, then live', () => {
      scheduler().run(({ cold, expectObservable }) => {
        const cursor = new ReplayCursor(16, 'chunks');
        deliver(cursor, out('line 1\n'));
        const source = cold<ExecEvent>('-a-c-----d-x|', { a: out('line 1\n'), c: out('line 3\n'), d: out('d'), x: exit });
        expectObservable(source.pipe(drained(cursor))).toBe('---(nac)-d-x|', {
          n: overlapUnknown('stdout', 7),
          a: out('line 1\n'),
          c: out('line 3\n'),
          d: out('d'),
          x: exit,
        });
      });
    });

    it('outside a drain the same short run is delivered whole at once, announced', () => {
      scheduler().run(({ cold, expectObservable }) => {
        const cursor = new ReplayCursor(64, 'chunks');
        deliver(cursor, out('line 1\n'));
        const source = cold<ExecEvent>('-a----c-x|', { a: out('line 1\n'), c: out('line 3\n'), x: exit });
        expectObservable(source.pipe(skipReplayed(cursor))).toBe('-(na)-c-x|', { n: overlapUnknown('stdout', 7), a: out('line 1\n'), c: out('line 3\n'), x: exit });
      });
    });
  });
});

