import { Subject, defer, of, type Observable } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRunnerClient } from '../../src/index.js';
import type { ExecEvent, FetchLike } from '../../src/index.js';
import { Outbox } from '../../src/transport/outbox.js';
import type { SocketHandle } from '../../src/transport/webSocket.js';
import { FakeNodeSocket, asConstructor } from '../support/fakeSockets.js';

const EOF = '{"type":"stdin_eof"}';
const encoder = new TextEncoder();

function fakeSocket(open = true): { handle: SocketHandle; sent: (string | Uint8Array)[] } {
  const sent: (string | Uint8Array)[] = [];
  const handle: SocketHandle = {
    isOpen: () => open,
    send: (data) => {
      if (!open) throw new Error('send on a socket that is not open');
      sent.push(data);
    },
    dispose: () => undefined,
  };
  return { handle, sent };
}

/** Text messages as they are, binary ones as `bin:<UTF-8>`. */
const shown = (sent: readonly (string | Uint8Array)[]): string[] =>
  sent.map((message) => (typeof message === 'string' ? message : `bin:${new TextDecoder().decode(message)}`));

/** An observable that counts its subscriptions. */
function counted<T>(source: Observable<T>): { source: Observable<T>; subscriptions: () => number } {
  let count = 0;
  return { source: defer(() => ((count += 1), source)), subscriptions: () => count };
}

describe('Outbox: queueing from start(), before any socket', () => {
  it('start() subscribes to every input at once', () => {
    const stdin = new Subject<string>();
    const resize = new Subject<{ cols: number; rows: number }>();
    const signal = new Subject<number>();
    new Outbox({ stdin, resize, signal }).start();
    expect([stdin.observed, resize.observed, signal.observed]).toEqual([true, true, true]);
  });

  it('queues stdin and signals in order and only the latest resize; the first socket gets them once', () => {
    const stdin = new Subject<string>();
    const resize = new Subject<{ cols: number; rows: number }>();
    const signal = new Subject<number>();
    const outbox = new Outbox({ stdin, resize, signal }).start();
    stdin.next('a');
    resize.next({ cols: 80, rows: 24 });
    signal.next(2);
    stdin.next('b');
    resize.next({ cols: 100, rows: 30 });
    stdin.complete();
    signal.next(15);
    const first = fakeSocket();
    outbox.connect(first.handle);
    expect(shown(first.sent)).toEqual([
      '{"type":"resize","cols":100,"rows":30}',
      'bin:a',
      '{"type":"signal","sig":2}',
      'bin:b',
      EOF,
      '{"type":"signal","sig":15}',
    ]);
    signal.next(1);
    expect(shown(first.sent).at(-1)).toBe('{"type":"signal","sig":1}');
    outbox.disconnect(first.handle);
    const second = fakeSocket();
    outbox.connect(second.handle);
    expect(shown(second.sent)).toEqual(['{"type":"resize","cols":100,"rows":30}', EOF]);
  });

  it('a synchronous stdin is read at start(), not at connect', () => {
    const outbox = new Outbox({ stdin: of('x', encoder.encode('y')) }).start();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    expect(shown(socket.sent)).toEqual(['bin:x', 'bin:y', EOF]);
  });

  it('keeps the queue through a socket that never opened (a refused first connect)', () => {
    const stdin = new Subject<string>();
    const outbox = new Outbox({ stdin }).start();
    stdin.next('early');
    const refused = fakeSocket(false);
    outbox.connect(refused.handle);
    stdin.next('during');
    outbox.disconnect(refused.handle);
    stdin.next('after');
    const open = fakeSocket();
    outbox.connect(open.handle);
    expect(refused.sent).toEqual([]);
    expect(shown(open.sent)).toEqual(['bin:early', 'bin:during', 'bin:after']);
  });

  it('start() and connect() subscribe to the inputs once in all', () => {
    const stdin = counted(new Subject<string>());
    const outbox = new Outbox({ stdin: stdin.source }).start();
    outbox.start();
    outbox.connect(fakeSocket().handle);
    expect(stdin.subscriptions()).toBe(1);
  });

  it('reports a bad value emitted before any socket on failures', () => {
    const signal = new Subject<number>();
    const outbox = new Outbox({ signal }).start();
    signal.next(9);
    let seen: unknown;
    outbox.failures.subscribe({ error: (error: unknown) => (seen = error) });
    expect(seen).toBeInstanceOf(RangeError);
  });

  it('dispose() drops the queue and the last size: a later socket is sent nothing', () => {
    const stdin = new Subject<string>();
    const resize = new Subject<{ cols: number; rows: number }>();
    const outbox = new Outbox({ stdin, resize }).start();
    resize.next({ cols: 80, rows: 24 });
    stdin.next('queued');
    stdin.complete();
    outbox.dispose();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    expect(socket.sent).toEqual([]);
  });

  it('dispose() before any socket drops the queue, and a later start() or connect() reads nothing', () => {
    const stdin = counted(new Subject<string>());
    const outbox = new Outbox({ stdin: stdin.source });
    outbox.dispose();
    outbox.start();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    expect(stdin.subscriptions()).toBe(0);
    expect(socket.sent).toEqual([]);
  });
});

/** A fetch whose answer the test gives; it rejects once aborted. */
function heldFetch(): { fetch: FetchLike; answer: (status: number, body: string) => void; aborted: () => boolean } {
  let answer: (status: number, body: string) => void = () => expect.unreachable('no request was made');
  let signal: AbortSignal | undefined;
  const fetch: FetchLike = (_url, init) => {
    signal = init.signal;
    return new Promise((resolve, reject) => {
      init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      answer = (status, body) => resolve({ status, statusText: '', text: () => Promise.resolve(body) });
    });
  };
  return { fetch, answer: (status, body) => answer(status, body), aborted: () => signal?.aborted === true };
}

/** Waits until `check` holds, a microtask at a time (the fetch answers through promises). */
async function until(check: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !check(); turn += 1) await Promise.resolve();
  expect(check()).toBe(true);
}

describe('exec: the outbox lives from subscription to the end', () => {
  beforeEach(() => {
    FakeNodeSocket.reset();
  });

  function client(fetch: FetchLike) {
    // Ungated: these tests read the outbox's own order; the gate's line is test/unit/startGateOutbox.test.ts's.
    return createRunnerClient({ baseUrl: 'http://runner.test', token: 'tok', fetch, WebSocket: asConstructor(FakeNodeSocket), startGate: false });
  }

  it('reads the input before POST /exec answers, and the first socket gets it once, in order', async () => {
    const held = heldFetch();
    const stdin = new Subject<string>();
    const signal = new Subject<number>();
    const subscription = client(held.fetch).exec('box', { command: 'cat' }, { stdin, signal }).subscribe();
    expect(stdin.observed).toBe(true);
    stdin.next('a');
    signal.next(2);
    stdin.next('b');
    held.answer(201, '{"execution_id":"exec-1"}');
    await until(() => FakeNodeSocket.instances.length === 1);
    stdin.next('c');
    FakeNodeSocket.last.open();
    expect(shown(FakeNodeSocket.last.sent)).toEqual(['bin:a', '{"type":"signal","sig":2}', 'bin:b', 'bin:c']);
    subscription.unsubscribe();
    expect(stdin.observed).toBe(false);
  });

  it('stops reading the input when POST /exec fails', async () => {
    const held = heldFetch();
    const stdin = new Subject<string>();
    let error: unknown;
    client(held.fetch).exec('box', { command: 'cat' }, { stdin }).subscribe({ error: (e: unknown) => (error = e) });
    held.answer(409, '{"error":"box is stopped"}');
    await until(() => error !== undefined);
    expect(error).toMatchObject({ name: 'BoxliteHttpError', status: 409 });
    expect(stdin.observed).toBe(false);
  });

  it('stops reading the input and aborts the request on unsubscribe during POST /exec', () => {
    const held = heldFetch();
    const stdin = new Subject<string>();
    const subscription = client(held.fetch).exec('box', { command: 'cat' }, { stdin }).subscribe();
    subscription.unsubscribe();
    expect(stdin.observed).toBe(false);
    expect(held.aborted()).toBe(true);
  });

  it('a bad value during POST /exec errors the execution right after started', async () => {
    const held = heldFetch();
    const signal = new Subject<number>();
    const events: ExecEvent[] = [];
    let error: unknown;
    client(held.fetch).exec('box', { command: 'cat' }, { signal }).subscribe({
      next: (event) => events.push(event),
      error: (e: unknown) => (error = e),
    });
    signal.next(9);
    expect(error).toBeUndefined();
    held.answer(201, '{"execution_id":"exec-1"}');
    await until(() => error !== undefined);
    expect(events).toEqual([{ type: 'started', executionId: 'exec-1' }]);
    expect(error).toBeInstanceOf(RangeError);
    expect(signal.observed).toBe(false);
  });

  it('each subscription gets its own outbox', () => {
    const stdin = counted(new Subject<string>());
    const held = heldFetch();
    const exec$ = client(held.fetch).exec('box', { command: 'cat' }, { stdin: stdin.source });
    exec$.subscribe().unsubscribe();
    exec$.subscribe().unsubscribe();
    expect(stdin.subscriptions()).toBe(2);
  });
});

describe('attach (one socket): the outbox lives from subscription to the end', () => {
  beforeEach(() => {
    FakeNodeSocket.reset();
  });

  const client = () => createRunnerClient({ baseUrl: 'http://runner.test', token: 'tok', WebSocket: asConstructor(FakeNodeSocket) });

  it('queues input written during the upgrade, and stops reading it after the exit', () => {
    const stdin = new Subject<string>();
    const events: ExecEvent[] = [];
    let completed = false;
    client().attach('box', 'exec-1', { stdin }).subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    stdin.next('early');
    FakeNodeSocket.last.open();
    expect(shown(FakeNodeSocket.last.sent)).toEqual(['bin:early']);
    FakeNodeSocket.last.text('{"type":"exit","exit_code":0}');
    expect(events).toEqual([{ type: 'exit', exitCode: 0, source: 'frame' }]);
    expect(completed).toBe(true);
    expect(stdin.observed).toBe(false);
  });

  it('a bad value errors it and closes the socket', () => {
    const signal = new Subject<number>();
    let error: unknown;
    client().attach('box', 'exec-1', { signal }).subscribe({ error: (e: unknown) => (error = e) });
    FakeNodeSocket.last.open();
    signal.next(9);
    expect(error).toBeInstanceOf(RangeError);
    expect(signal.observed).toBe(false);
    expect(FakeNodeSocket.last.closedWith).toBe(1000);
  });
});
