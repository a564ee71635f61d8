/**
 * `toExecSignals` and its text buffer with the real @angular/core (zoneless TestBed), fed by a
 * Subject: the status table, errors as values, UTF-8 across chunks, stop and DestroyRef.
 */
// First: Angular's own packages are partially compiled and need the JIT compiler loaded before them.
import '@angular/compiler';
import { DestroyRef, EnvironmentInjector, Injector, computed, createEnvironmentInjector, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Subject } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ExecEvent } from '../src/index.js';
import { appendableText } from '../src/angular/appendableText.js';
import { toExecSignals, type ExecSignals } from '../src/angular/index.js';
import { useAngularTestBed } from './support/angularTestBed.js';

useAngularTestBed();
beforeEach(() => TestBed.configureTestingModule({ providers: [provideZonelessChangeDetection()] }));

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const started = (executionId: string): ExecEvent => ({ type: 'started', executionId });
const out = (type: 'stdout' | 'stderr', data: Uint8Array | string): ExecEvent => ({ type, data: typeof data === 'string' ? bytes(data) : data });
const exit = (exitCode: number): ExecEvent => ({ type: 'exit', exitCode, source: 'frame' });
const notice = (kind: 'reconnecting' | 'reconnected' | 'output-lost'): ExecEvent => ({ type: 'notice', kind, message: kind });

/** Signals over a fresh Subject, in TestBed's injection context. */
function follow(): { readonly source: Subject<ExecEvent>; readonly run: ExecSignals } {
  const source = new Subject<ExecEvent>();
  return { source, run: TestBed.runInInjectionContext(() => toExecSignals(source)) };
}

/** Everything a template would show, in one value. */
const shown = (run: ExecSignals) => ({
  executionId: run.executionId(),
  stdout: run.stdout(),
  stderr: run.stderr(),
  status: run.status(),
  exitCode: run.exitCode(),
  error: run.error(),
});

describe('toExecSignals', () => {
  it('walks the status table: starting, running, reconnecting and back, exited', () => {
    const { source, run } = follow();
    const statuses: string[] = [run.status()];
    const step = (event: ExecEvent): void => {
      source.next(event);
      statuses.push(run.status());
    };
    step(started('exec-1'));
    step(out('stdout', 'a'));
    step(notice('reconnecting'));
    step(notice('output-lost'));
    step(notice('reconnected'));
    step(notice('reconnecting'));
    step(out('stderr', 'b'));
    step(exit(3));
    source.complete();
    statuses.push(run.status());

    expect(statuses).toEqual(['starting', 'running', 'running', 'reconnecting', 'reconnecting', 'running', 'reconnecting', 'running', 'exited', 'exited']);
    expect(shown(run)).toEqual({ executionId: 'exec-1', stdout: 'a', stderr: 'b', status: 'exited', exitCode: 3, error: undefined });
  });

  it('a stream without `started` (follow, attach) runs from its first output', () => {
    const { source, run } = follow();
    source.next(notice('output-lost'));
    expect(run.status()).toBe('starting');
    source.next(out('stdout', 'x'));
    expect(shown(run)).toEqual({ executionId: undefined, stdout: 'x', stderr: '', status: 'running', exitCode: undefined, error: undefined });
  });

  it('keeps an error as a value: status failed, no signal throws', () => {
    const { source, run } = follow();
    const failure = new Error('gone');
    source.next(started('exec-1'));
    source.next(out('stdout', 'partial'));
    source.error(failure);
    expect(shown(run)).toEqual({ executionId: 'exec-1', stdout: 'partial', stderr: '', status: 'failed', exitCode: undefined, error: failure });
  });

  it('a source that completes without an exit is stopped', () => {
    const { source, run } = follow();
    source.next(started('exec-1'));
    source.complete();
    expect(run.status()).toBe('stopped');
  });

  it('decodes UTF-8 split across chunks and flushes an unfinished character as U+FFFD at the exit', () => {
    const { source, run } = follow();
    const euro = bytes('€'); // e2 82 ac
    source.next(out('stdout', euro.slice(0, 1)));
    expect(run.stdout()).toBe('');
    source.next(out('stdout', euro.slice(1)));
    source.next(out('stderr', bytes('é').slice(0, 1)));
    expect(run.stdout()).toBe('€');
    expect(run.stderr()).toBe('');
    source.next(exit(0));
    expect(run.stderr()).toBe('\uFFFD');
  });

  it('stop() unsubscribes and leaves the status stopped; after an exit it changes nothing', () => {
    const first = follow();
    first.source.next(started('exec-1'));
    first.run.stop();
    expect(first.source.observed).toBe(false);
    expect(first.run.status()).toBe('stopped');

    const second = follow();
    second.source.next(exit(0));
    second.run.stop();
    expect(second.run.status()).toBe('exited');
  });

  it('ends when the DestroyRef of its injection context is destroyed', () => {
    const scope = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const source = new Subject<ExecEvent>();
    const run = scope.runInContext(() => toExecSignals(source));
    source.next(started('exec-1'));
    scope.destroy();
    expect(source.observed).toBe(false);
    expect(run.status()).toBe('stopped');
  });

  it('takes `injector` outside an injection context, and asks for one without it', () => {
    const scope = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
    const source = new Subject<ExecEvent>();
    const run = toExecSignals(source, { injector: scope });
    scope.destroy();
    expect(source.observed).toBe(false);
    expect(run.status()).toBe('stopped');
    expect(() => toExecSignals(new Subject<ExecEvent>())).toThrow(/toExecSignals\(\) can only be used within an injection context/);
  });

  it('refuses to subscribe inside a reactive context (a computed)', () => {
    const inComputed = computed(() => TestBed.runInInjectionContext(() => toExecSignals(new Subject<ExecEvent>())));
    expect(() => inComputed()).toThrow(/toExecSignals\(\) cannot be called from within a reactive context/);
  });

  it('releases its DestroyRef callback once the stream ended, so a long-lived scope does not collect them', () => {
    const registered: (() => void)[] = [];
    let released = 0;
    const destroyRef: Pick<DestroyRef, 'onDestroy'> = {
      onDestroy(callback) {
        registered.push(callback);
        return () => released++;
      },
    };
    const injector = Injector.create({ providers: [] });
    const withFakeDestroyRef = { get: (token: unknown) => (token === DestroyRef ? destroyRef : injector.get(token as never)) } as unknown as Injector;

    const ended = new Subject<ExecEvent>();
    toExecSignals(ended, { injector: withFakeDestroyRef });
    const running = new Subject<ExecEvent>();
    toExecSignals(running, { injector: withFakeDestroyRef });
    expect([registered.length, released]).toEqual([2, 0]);
    ended.next(exit(0));
    ended.complete();
    expect([registered.length, released]).toEqual([2, 1]);
    running.error(new Error('cut'));
    expect(released).toBe(2);
  });
});

describe('appendableText', () => {
  it('shows every append in order, whether read after each one or after many', () => {
    const text = appendableText();
    expect(text.text()).toBe('');
    text.append('a');
    expect(text.text()).toBe('a');
    const expected = ['a'];
    for (let i = 0; i < 10_000; i++) {
      const chunk = String(i % 10);
      text.append(chunk);
      expected.push(chunk);
      if (i % 1_000 === 0) expect(text.text()).toBe(expected.join(''));
    }
    expect(text.text()).toBe(expected.join(''));
    expect(text.text().length).toBe(10_001);
  });

  it('notifies readers: a computed over it follows each append', () => {
    const text = appendableText();
    const length = computed(() => text.text().length);
    text.append('abc');
    expect(length()).toBe(3);
    text.append('de');
    expect(length()).toBe(5);
  });
});
