/**
 * The handle reaches the listener before any callback: an attach that claims a socket opened
 * ahead (whose `open` is replayed at once, inside the claim) sends its outbox on that socket and
 * reads its ping visibility; a socket opened by `openSocket` makes its listener from the handle
 * it returns.
 */
import { of, type Subscription } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { attach } from '../../src/observables/attach.js';
import type { ExecEvent } from '../../src/events.js';
import { EarlySocket } from '../../src/transport/earlySocket.js';
import { Outbox } from '../../src/transport/outbox.js';
import { openSocket, type SocketHandle, type SocketListener } from '../../src/transport/webSocket.js';
import { stdout } from '../../marbles/values.js';
import { FakeNodeSocket, asConstructor } from '../support/fakeSockets.js';

const URL = 'ws://runner.test/v1/boxes/b/executions/e/attach';
const Ctor = asConstructor(FakeNodeSocket);
const subscriptions: Subscription[] = [];

afterEach(() => {
  for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
  FakeNodeSocket.reset();
});

const silent: SocketListener = { open: () => undefined, binary: () => undefined, text: () => undefined, alive: () => undefined, end: () => undefined };

describe('attach on a socket opened ahead', () => {
  it('an open replayed at the claim finds the handle: the outbox goes out on it, then the held frame and the live ones', () => {
    FakeNodeSocket.reset();
    const early = new EarlySocket((relayFor) => openSocket(Ctor, URL, {}, relayFor), undefined);
    const socket = FakeNodeSocket.last;
    socket.open();
    socket.binary([1, ...Buffer.from('held')]);
    const outbox = new Outbox({ stdin: of('typed') }).start();
    const seen: (ExecEvent | string)[] = [];
    subscriptions.push(
      attach({ url: URL, WebSocket: Ctor, token: 't', sendAuthHeader: false, outbox, idleTimeout: 'auto', connectTimeout: 1_000, early }).subscribe({
        next: (event) => seen.push(event),
        error: (error: unknown) => seen.push(`error ${String(error)}`),
        complete: () => seen.push('complete'),
      }),
    );
    expect(early.claimed).toBe(true);
    expect(socket.sent.map((message) => Buffer.from(message).toString())).toEqual(['typed', '{"type":"stdin_eof"}']);
    socket.binary([1, ...Buffer.from('live')]);
    socket.text('{"type":"exit","exit_code":0}');
    // Both frames came before any microtask (as one socket read's would): one event, each frame's length kept.
    expect(seen).toEqual([
      { type: 'stdout', data: new Uint8Array(Buffer.from('heldlive')), frames: [4, 4] },
      { type: 'exit', exitCode: 0, source: 'frame' },
      'complete',
    ]);
  });
});

describe('openSocket', () => {
  it('makes the listener from the handle it returns, before the socket can report anything', () => {
    FakeNodeSocket.reset();
    const given: SocketHandle[] = [];
    const handle = openSocket(Ctor, URL, {}, (made) => {
      given.push(made);
      return silent;
    });
    expect(given).toEqual([handle]);
    expect(given[0]).toBe(handle);
  });
});
