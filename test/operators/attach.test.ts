import { of, type Observable } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { AttachDisconnectedError, AttachRejectedError } from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';
import { attach, type AttachConfig } from '../../src/observables/attach.js';
import { Outbox } from '../../src/transport/outbox.js';
import { exitFrame, serverError, stdout } from '../../marbles/values.js';
import { FakeDomSocket, FakeNodeSocket, asConstructor } from '../support/fakeSockets.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const URL = 'ws://runner.test/v1/boxes/box-1/executions/exec-1/attach';

function config(overrides: Partial<AttachConfig> = {}): AttachConfig {
  return {
    url: URL,
    WebSocket: asConstructor(FakeNodeSocket),
    token: 'secret-token',
    sendAuthHeader: true,
    idleTimeout: 'auto',
    connectTimeout: 30_000,
    ...overrides,
  };
}

function collect(source: Observable<ExecEvent>): { events: ExecEvent[]; error?: unknown; completed: boolean } {
  const result: { events: ExecEvent[]; error?: unknown; completed: boolean } = { events: [], completed: false };
  source.subscribe({
    next: (event) => result.events.push(event),
    error: (error: unknown) => (result.error = error),
    complete: () => (result.completed = true),
  });
  return result;
}

beforeEach(() => {
  FakeNodeSocket.reset();
  FakeDomSocket.instances = [];
});

describe('attach', () => {
  it('sends the token as a Bearer header on the upgrade, never in the URL, asking the provider per socket', () => {
    let asked = 0;
    const attach$ = attach(config({ token: () => `token-${++asked}` }));
    collect(attach$);
    collect(attach$);
    expect(FakeNodeSocket.instances.map((socket) => socket.options?.headers)).toEqual([
      { authorization: 'Bearer token-1' },
      { authorization: 'Bearer token-2' },
    ]);
    expect(FakeNodeSocket.instances.every((socket) => socket.url === URL)).toBe(true);
  });

  it('emits output, notices and the exit, then completes and closes with 1000', () => {
    const result = collect(attach(config()));
    const socket = FakeNodeSocket.last;
    socket.open();
    socket.binary([0x01, 0x68, 0x69]);
    socket.binary([0x02, 0x21]);
    socket.binary([0x01]);
    socket.text('{"type":"error","message":"signal 9 is not allowed"}');
    socket.binary([0x07, 0x00]);
    socket.text('{"type":"exit","exit_code":3}');
    socket.binary([0x01, 0x7a]);
    expect(result.events).toEqual([
      stdout('hi'),
      { type: 'stderr', data: new Uint8Array([0x21]) },
      serverError('signal 9 is not allowed'),
      { type: 'notice', kind: 'malformed-frame', message: 'unknown channel byte 0x07', bytes: 1 },
      exitFrame(3),
    ]);
    expect(result.completed).toBe(true);
    expect(socket.closedWith).toBe(1000);
  });

  it('errors with AttachDisconnectedError carrying the close code when cut before the exit frame', () => {
    const result = collect(attach(config()));
    FakeNodeSocket.last.open();
    FakeNodeSocket.last.binary([0x01, 0x61]);
    FakeNodeSocket.last.cut(1011, 'pump drain timed out');
    expect(result.events).toEqual([stdout('a')]);
    expect(result.error).toBeInstanceOf(AttachDisconnectedError);
    expect(result.error).toMatchObject({
      closeCode: 1011,
      message: 'attach: socket closed before the exit frame (code 1011: pump drain timed out)',
    });
  });

  it('errors with AttachRejectedError carrying the status and machine code of a refused upgrade', () => {
    const result = collect(attach(config()));
    FakeNodeSocket.last.refuse(409, '{"error":{"message":"already attached","type":"conflict","code":"already_exists"}}');
    expect(result.error).toBeInstanceOf(AttachRejectedError);
    expect(result.error).toMatchObject({ status: 409, code: 'already_exists', message: 'attach refused: already attached' });
    expect(FakeNodeSocket.last.terminated).toBe(true);
  });

  it('maps an HTML refusal from a proxy to its status alone', () => {
    const result = collect(attach(config()));
    FakeNodeSocket.last.refuse(502, '<html><body>Bad Gateway</body></html>');
    expect(result.error).toMatchObject({ name: 'AttachRejectedError', status: 502, message: 'attach refused: HTTP 502' });
  });

  it('refuses when no upgrade comes within connectTimeout, and aborts the socket', () => {
    createTestScheduler().run(({ expectObservable, flush }) => {
      expectObservable(attach(config({ connectTimeout: 100 }))).toBe(
        '100ms #',
        undefined,
        new AttachRejectedError('attach: no upgrade within 100 ms', undefined),
      );
      flush();
      expect(FakeNodeSocket.last.terminated).toBe(true);
    });
  });

  it('keeps a silent command alive while pings come, and declares a dead peer 45-60 s after the last sign of life', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ expectObservable }) => {
      scheduler.schedule(() => FakeNodeSocket.last.open(), 1);
      for (let at = 15_000; at <= 120_000; at += 15_000) scheduler.schedule(() => FakeNodeSocket.last.ping(), at);
      expectObservable(attach(config())).toBe(
        '165001ms #',
        undefined,
        new AttachDisconnectedError('attach: no frame or ping for 45000 ms', 1006),
      );
    });
  });

  it("declares a dead peer where pings are invisible (DOM sockets) after 'auto''s 45 s of silence too (issue 24 item 3)", () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ expectObservable }) => {
      scheduler.schedule(() => {
        const socket = FakeDomSocket.instances.at(-1);
        if (socket) {
          socket.readyState = 1;
          socket.onopen?.({});
        }
      }, 1);
      expectObservable(attach(config({ WebSocket: asConstructor(FakeDomSocket), sendAuthHeader: false })), '^ 600000ms !').toBe(
        '60001ms #',
        undefined,
        new AttachDisconnectedError('attach: no frame or ping for 45000 ms', 1006),
      );
    });
  });

  it('sends no Authorization and no constructor options when sendAuthHeader is false', () => {
    collect(attach(config({ WebSocket: asConstructor(FakeDomSocket), sendAuthHeader: false })));
    expect(FakeDomSocket.instances.at(-1)?.protocols).toBeUndefined();
  });

  it('decodes DOM ArrayBuffer frames and maps a close without exit to AttachDisconnectedError', () => {
    const result = collect(attach(config({ WebSocket: asConstructor(FakeDomSocket), sendAuthHeader: false })));
    const socket = FakeDomSocket.instances.at(-1);
    if (!socket) throw new Error('no socket');
    expect(socket.binaryType).toBe('arraybuffer');
    socket.readyState = 1;
    socket.onopen?.({});
    socket.onmessage?.({ data: new Uint8Array([0x01, 0x6f, 0x6b]).buffer });
    socket.onclose?.({ code: 1006, reason: '' });
    expect(result.events).toEqual([stdout('ok')]);
    expect(result.error).toBeInstanceOf(AttachDisconnectedError);
  });

  it('maps a DOM socket that never opened to AttachRejectedError without a status', () => {
    const result = collect(attach(config({ WebSocket: asConstructor(FakeDomSocket), sendAuthHeader: false })));
    const socket = FakeDomSocket.instances.at(-1);
    socket?.onerror?.({});
    socket?.onclose?.({ code: 1006, reason: '' });
    expect(result.error).toBeInstanceOf(AttachRejectedError);
    expect((result.error as AttachRejectedError).status).toBeUndefined();
  });

  it('closes the socket with 1000 on unsubscribe when open, and aborts it while connecting', () => {
    collect(attach(config())).events;
    const connecting = FakeNodeSocket.last;
    const subscription = attach(config()).subscribe();
    const open = FakeNodeSocket.last;
    open.open();
    subscription.unsubscribe();
    expect(open.closedWith).toBe(1000);
    attach(config()).subscribe().unsubscribe();
    expect(FakeNodeSocket.last.terminated).toBe(true);
    expect(connecting.terminated).toBe(false);
  });

  it('sends stdin through the outbox once open, then stdin_eof', () => {
    const outbox = new Outbox({ stdin: of('ab', new Uint8Array([0xff])) });
    collect(attach(config({ outbox })));
    expect(FakeNodeSocket.last.sent).toEqual([]);
    FakeNodeSocket.last.open();
    expect(FakeNodeSocket.last.sent).toEqual([new TextEncoder().encode('ab'), new Uint8Array([0xff]), '{"type":"stdin_eof"}']);
  });
});
