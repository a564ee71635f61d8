import { EMPTY, NEVER, Subject, concat, from, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, ExitEvent, NoticeEvent, OutputEvent } from '../../src/events.js';
import { toExecResult, type ExecResult } from '../../src/operators/toExecResult.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const out = (...values: number[]): OutputEvent => ({ type: 'stdout', data: Uint8Array.from(values) });
const err = (...values: number[]): OutputEvent => ({ type: 'stderr', data: Uint8Array.from(values) });
const text = (type: 'stdout' | 'stderr', value: string): OutputEvent => ({ type, data: new TextEncoder().encode(value) });
const exit = (exitCode: number, source: 'frame' | 'probe' = 'frame'): ExitEvent => ({ type: 'exit', exitCode, source });

const seq = (...events: ExecEvent[]): Observable<ExecEvent> => from(events);

type Seen = ExecResult | { error: unknown } | 'complete';

function collect(source: Observable<ExecEvent>): Seen[] {
  const seen: Seen[] = [];
  source.pipe(toExecResult()).subscribe({
    next: (value) => seen.push(value),
    error: (error: unknown) => seen.push({ error }),
    complete: () => seen.push('complete'),
  });
  return seen;
}

describe('toExecResult', () => {
  it('collects output, the execution id and the exit code', () => {
    const seen = collect(seq({ type: 'started', executionId: 'exec-1' }, text('stdout', 'he'), text('stderr', 'oops'), text('stdout', 'llo'), exit(3)));
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe('complete');
    const result = seen[0] as ExecResult;
    expect(result.executionId).toBe('exec-1');
    expect(result.exitCode).toBe(3);
    expect(result.exitSource).toBe('frame');
    expect(result.stdout).toBe('hello');
    expect(result.stderr).toBe('oops');
    expect(Array.from(result.stdoutBytes)).toEqual([0x68, 0x65, 0x6c, 0x6c, 0x6f]);
    expect(Array.from(result.stderrBytes)).toEqual([0x6f, 0x6f, 0x70, 0x73]);
    expect(result.notices).toEqual([]);
  });

  it('emits on the exit event, in the same frame (marble)', () => {
    createTestScheduler('exact').run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<ExecEvent>('--s--a--b--x--c|', {
        s: { type: 'started', executionId: 'e' },
        a: text('stdout', 'he'),
        b: text('stdout', 'llo'),
        x: exit(0),
        c: text('stdout', 'late'),
      });
      expectObservable(source.pipe(toExecResult())).toBe('-----------(r|)', {
        r: {
          executionId: 'e',
          exitCode: 0,
          exitSource: 'frame',
          stdout: 'hello',
          stderr: '',
          stdoutBytes: new TextEncoder().encode('hello'),
          stderrBytes: new Uint8Array(0),
          notices: [],
        },
      });
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
  });

  it('has no execution id without a started event', () => {
    const result = collect(seq(exit(0)))[0] as ExecResult;
    expect(result.executionId).toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
    expect(result.stdoutBytes).toBeInstanceOf(Uint8Array);
    expect(result.stdoutBytes.length).toBe(0);
    expect(result.stderrBytes.length).toBe(0);
  });

  it('keeps a probed exit code and its source', () => {
    const result = collect(seq(out(0x61), exit(-1, 'probe')))[0] as ExecResult;
    expect(result.exitCode).toBe(-1);
    expect(result.exitSource).toBe('probe');
    expect(result.stdout).toBe('a');
  });

  it('keeps every notice in order', () => {
    const n1: NoticeEvent = { type: 'notice', kind: 'server-error', message: 'one' };
    const n2: NoticeEvent = { type: 'notice', kind: 'output-lost', message: 'two', stream: 'stdout' };
    const result = collect(seq(n1, out(0x61), n2, exit(0)))[0] as ExecResult;
    expect(result.notices).toEqual([n1, n2]);
    expect(result.notices[0]).toBe(n1);
  });

  it('joins a character split across frames and keeps the exact bytes', () => {
    const result = collect(seq(out(0xe2), out(0x82), out(0xac, 0x0a), err(0xf0, 0x9f), err(0x98, 0x80), exit(0)))[0] as ExecResult;
    expect(result.stdout).toBe('€\n');
    expect(result.stderr).toBe('😀');
    expect(Array.from(result.stdoutBytes)).toEqual([0xe2, 0x82, 0xac, 0x0a]);
    expect(Array.from(result.stderrBytes)).toEqual([0xf0, 0x9f, 0x98, 0x80]);
  });

  it('decodes invalid bytes as U+FFFD but keeps them in the bytes', () => {
    const result = collect(seq(out(0x41, 0xff, 0x42, 0xe2), exit(0)))[0] as ExecResult;
    expect(result.stdout).toBe('A\uFFFDB\uFFFD');
    expect(Array.from(result.stdoutBytes)).toEqual([0x41, 0xff, 0x42, 0xe2]);
  });

  it('keeps stdout and stderr apart', () => {
    const result = collect(seq(text('stderr', 'e1'), text('stdout', 'o1'), text('stderr', 'e2'), exit(0)))[0] as ExecResult;
    expect(result.stdout).toBe('o1');
    expect(result.stderr).toBe('e1e2');
  });

  it('errors with a TypeError when the source completes without exit', () => {
    const seen = collect(seq(out(0x61)));
    expect(seen).toHaveLength(1);
    const { error } = seen[0] as { error: Error };
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('TypeError');
    expect(error.message).toBe('toExecResult: the stream completed without an exit event');
  });

  it('errors with a TypeError for an empty source', () => {
    const seen = collect(EMPTY);
    expect((seen[0] as { error: unknown }).error).toBeInstanceOf(TypeError);
  });

  it('passes a source error through as it is, without a result', () => {
    const boom = new RangeError('cut');
    const seen = collect(concat(seq(out(0x61)), throwError(() => boom)));
    expect(seen).toEqual([{ error: boom }]);
    expect((seen[0] as { error: unknown }).error).toBe(boom);
  });

  it('emits nothing for a source that never ends', () => {
    expect(collect(NEVER)).toEqual([]);
  });

  it('stops listening after the exit event', () => {
    const subject = new Subject<ExecEvent>();
    const seen = collect(subject);
    subject.next(exit(0));
    expect(subject.observed).toBe(false);
    subject.next(out(0x61));
    subject.error(new Error('late'));
    expect(seen).toHaveLength(2);
    expect(seen[1]).toBe('complete');
  });

  it('keeps the state per subscription', () => {
    const operator = toExecResult();
    const a = new Subject<ExecEvent>();
    const b = new Subject<ExecEvent>();
    const results: ExecResult[] = [];
    a.pipe(operator).subscribe((result) => results.push(result));
    b.pipe(operator).subscribe((result) => results.push(result));
    a.next(text('stdout', 'A'));
    b.next(text('stdout', 'B'));
    b.next(exit(2));
    a.next(exit(1));
    expect(results.map((result) => [result.stdout, result.exitCode])).toEqual([
      ['B', 2],
      ['A', 1],
    ]);
  });

  it('unsubscribing unsubscribes from the source', () => {
    const subject = new Subject<ExecEvent>();
    const subscription = subject.pipe(toExecResult()).subscribe();
    subscription.unsubscribe();
    expect(subject.observed).toBe(false);
  });
});

describe('toExecResult: exactness', () => {
  it('keeps a leading byte-order mark in the decoded text', () => {
    const [result] = collect(seq(out(0xef, 0xbb, 0xbf, 0x61), exit(0)));
    expect((result as ExecResult).stdout).toBe('\uFEFFa');
  });

  it('carries the status diagnostic of a probed exit', () => {
    const [result] = collect(seq({ type: 'exit', exitCode: -1, source: 'probe', message: 'status killed without an exit code' }));
    expect(result).toMatchObject({ exitCode: -1, exitSource: 'probe', exitMessage: 'status killed without an exit code' });
  });
});
