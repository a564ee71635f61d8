import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Outbox, type AttachInput } from '../../src/transport/outbox.js';
import type { SocketHandle } from '../../src/transport/webSocket.js';

const EOF = '{"type":"stdin_eof"}';
const MiB = 1024 * 1024;

interface FakeSocket {
  readonly handle: SocketHandle;
  readonly sent: (string | Uint8Array)[];
  open: boolean;
}

function fakeSocket(open = true): FakeSocket {
  const fake: FakeSocket = {
    sent: [],
    open,
    handle: {
      isOpen: () => fake.open,
      send: (data) => {
        if (!fake.open) throw new Error('send on a closed socket');
        fake.sent.push(data);
      },
      dispose: () => {
        fake.open = false;
      },
    },
  };
  return fake;
}

/** Text messages as they are; binary messages as `{ bin: <the bytes as UTF-8> }`. */
const shown = (sent: readonly (string | Uint8Array)[]): (string | { bin: string })[] =>
  sent.map((message) => (typeof message === 'string' ? message : { bin: new TextDecoder().decode(message) }));

const bin = (text: string): { bin: string } => ({ bin: text });

interface Inputs {
  readonly stdin: Subject<Uint8Array | string>;
  readonly resize: Subject<{ cols: number; rows: number }>;
  readonly signal: Subject<number>;
  readonly outbox: Outbox;
  readonly failures: unknown[];
}

function setup(): Inputs {
  const stdin = new Subject<Uint8Array | string>();
  const resize = new Subject<{ cols: number; rows: number }>();
  const signal = new Subject<number>();
  const outbox = new Outbox({ stdin, resize, signal });
  const failures: unknown[] = [];
  outbox.failures.subscribe({ error: (error: unknown) => failures.push(error), complete: () => failures.push('complete') });
  return { stdin, resize, signal, outbox, failures };
}

describe('Outbox: stdin', () => {
  it('subscribes to the inputs only on the first connection', () => {
    const { stdin, resize, signal, outbox } = setup();
    expect([stdin.observed, resize.observed, signal.observed]).toEqual([false, false, false]);
    outbox.connect(fakeSocket().handle);
    expect([stdin.observed, resize.observed, signal.observed]).toEqual([true, true, true]);
  });

  it('sends stdin live while connected, strings as UTF-8 bytes', () => {
    const { stdin, outbox, failures } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    stdin.next('hé€');
    stdin.next(Uint8Array.of(0x00, 0xff));
    expect(socket.sent).toHaveLength(2);
    expect(socket.sent[0]).toBeInstanceOf(Uint8Array);
    expect(Array.from(socket.sent[0] as Uint8Array)).toEqual([0x68, 0xc3, 0xa9, 0xe2, 0x82, 0xac]);
    expect(Array.from(socket.sent[1] as Uint8Array)).toEqual([0x00, 0xff]);
    expect(failures).toEqual([]);
  });

  it('accepts a Buffer (a Uint8Array)', () => {
    const { stdin, outbox } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    stdin.next(Buffer.from('abc'));
    expect(shown(socket.sent)).toEqual([bin('abc')]);
  });

  it('sends nothing for an empty chunk', () => {
    const { stdin, outbox } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    stdin.next('');
    stdin.next(new Uint8Array(0));
    expect(socket.sent).toEqual([]);
  });

  it('queues stdin while disconnected and sends it once, in order, to the next socket', () => {
    const { stdin, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    stdin.next('a');
    outbox.disconnect(s1.handle);
    stdin.next('b');
    stdin.next(Uint8Array.of(0x63));
    stdin.next('d');
    expect(shown(s1.sent)).toEqual([bin('a')]);
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(shown(s2.sent)).toEqual([bin('b'), bin('c'), bin('d')]);
    stdin.next('e');
    expect(shown(s2.sent)).toEqual([bin('b'), bin('c'), bin('d'), bin('e')]);
    outbox.disconnect(s2.handle);
    const s3 = fakeSocket();
    outbox.connect(s3.handle);
    expect(s3.sent).toEqual([]);
  });

  it('queues while the current socket is not open (closing), without a disconnect', () => {
    const { stdin, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    s1.open = false;
    stdin.next('x');
    expect(s1.sent).toEqual([]);
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(shown(s2.sent)).toEqual([bin('x')]);
  });

  it('queues what a first socket that is not open yet gets, for the next one', () => {
    const stdin = new Subject<string>();
    const outbox = new Outbox({ stdin });
    const s1 = fakeSocket(false);
    outbox.connect(s1.handle);
    stdin.next('early');
    outbox.disconnect(s1.handle);
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(s1.sent).toEqual([]);
    expect(shown(s2.sent)).toEqual([bin('early')]);
  });

  it('ignores a disconnect of a socket that is not the current one', () => {
    const { stdin, outbox } = setup();
    const s1 = fakeSocket();
    const old = fakeSocket();
    outbox.connect(s1.handle);
    outbox.disconnect(old.handle);
    stdin.next('z');
    expect(shown(s1.sent)).toEqual([bin('z')]);
  });

  it('splits a chunk over 1 MiB into frames of at most 1 MiB, in order, with the exact bytes', () => {
    const { stdin, outbox } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    const big = new Uint8Array(2 * MiB + 5);
    for (let i = 0; i < big.length; i += 1) big[i] = (i * 7 + (i >>> 20)) & 0xff;
    stdin.next(big);
    expect(socket.sent.map((frame) => frame.length)).toEqual([MiB, MiB, 5]);
    const joined = new Uint8Array(big.length);
    let offset = 0;
    for (const frame of socket.sent) {
      expect(frame).toBeInstanceOf(Uint8Array);
      joined.set(frame as Uint8Array, offset);
      offset += frame.length;
    }
    expect(Buffer.from(joined).equals(Buffer.from(big))).toBe(true);
  });

  it('sends exactly 1 MiB as one frame, and 1 MiB + 1 as two', () => {
    const { stdin, outbox } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    stdin.next(new Uint8Array(MiB));
    expect(socket.sent.map((frame) => frame.length)).toEqual([MiB]);
    stdin.next(new Uint8Array(MiB + 1));
    expect(socket.sent.map((frame) => frame.length)).toEqual([MiB, MiB, 1]);
  });

  it('splits a long string after encoding it (bytes, not characters)', () => {
    const { stdin, outbox } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    stdin.next('é'.repeat(MiB / 2 + 1)); // 2 bytes each: MiB + 2 bytes
    expect(socket.sent.map((frame) => frame.length)).toEqual([MiB, 2]);
    expect(Array.from(socket.sent[1] as Uint8Array)).toEqual([0xc3, 0xa9]);
  });

  it('splits queued chunks too', () => {
    const { stdin, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    outbox.disconnect(s1.handle);
    stdin.next(new Uint8Array(MiB + 3));
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(s2.sent.map((frame) => frame.length)).toEqual([MiB, 3]);
  });

  it('reports a chunk that is neither bytes nor a string as a TypeError on failures', () => {
    const { stdin, outbox, failures } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    stdin.next(42 as unknown as string);
    expect(socket.sent).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(TypeError);
    expect((failures[0] as Error).name).toBe('TypeError');
    expect((failures[0] as Error).message).toBe('stdin: chunks must be Uint8Array or string');
  });

  it('reports the error of stdin itself, as it is', () => {
    const { stdin, outbox, failures } = setup();
    outbox.connect(fakeSocket().handle);
    const boom = new Error('stdin broke');
    stdin.error(boom);
    expect(failures).toEqual([boom]);
    expect(failures[0]).toBe(boom);
  });
});

describe('Outbox: stdin_eof', () => {
  it('sends stdin_eof when stdin completes, after the data', () => {
    const { stdin, outbox } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    stdin.next('last');
    stdin.complete();
    expect(shown(socket.sent)).toEqual([bin('last'), EOF]);
  });

  it('re-sends stdin_eof exactly once on each new socket', () => {
    const { stdin, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    stdin.complete();
    expect(s1.sent).toEqual([EOF]);
    outbox.disconnect(s1.handle);
    for (let i = 0; i < 3; i += 1) {
      const next = fakeSocket();
      outbox.connect(next.handle);
      expect(next.sent).toEqual([EOF]);
      outbox.disconnect(next.handle);
    }
    expect(s1.sent).toEqual([EOF]);
  });

  it('completion while disconnected: the queue, then stdin_eof once; later sockets get stdin_eof alone', () => {
    const { stdin, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    outbox.disconnect(s1.handle);
    stdin.next('tail');
    stdin.complete();
    expect(s1.sent).toEqual([]);
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(shown(s2.sent)).toEqual([bin('tail'), EOF]);
    outbox.disconnect(s2.handle);
    const s3 = fakeSocket();
    outbox.connect(s3.handle);
    expect(s3.sent).toEqual([EOF]);
  });

  it('a signal queued after stdin ended goes first, then stdin_eof once', () => {
    const { stdin, signal, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    stdin.complete();
    outbox.disconnect(s1.handle);
    signal.next(2);
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(s2.sent).toEqual(['{"type":"signal","sig":2}', EOF]);
  });

  it('sends no stdin_eof while stdin is open, and none without a stdin input', () => {
    const { outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    outbox.disconnect(s1.handle);
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(s2.sent).toEqual([]);
    const bare = new Outbox({});
    const s3 = fakeSocket();
    bare.connect(s3.handle);
    bare.disconnect(s3.handle);
    const s4 = fakeSocket();
    bare.connect(s4.handle);
    expect([...s3.sent, ...s4.sent]).toEqual([]);
  });
});

describe('Outbox: signals', () => {
  it.each([1, 2, 3, 6, 10, 12, 15, 28])('sends whitelisted signal %i in-band', (sig) => {
    const { signal, outbox, failures } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    signal.next(sig);
    expect(socket.sent).toEqual([`{"type":"signal","sig":${sig}}`]);
    expect(failures).toEqual([]);
  });

  it.each([9, 0, -2, 4, 19, 2.5, Number.NaN])('reports signal %s as a RangeError on failures and sends nothing', (sig) => {
    const { signal, outbox, failures } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    signal.next(sig);
    expect(socket.sent).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(RangeError);
    expect((failures[0] as Error).name).toBe('RangeError');
    expect((failures[0] as Error).message).toBe(`signal: ${sig} is not one of 1, 2, 3, 6, 10, 12, 15, 28`);
  });

  it('queues signals while disconnected, in order with stdin', () => {
    const { stdin, signal, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    outbox.disconnect(s1.handle);
    stdin.next('a');
    signal.next(15);
    stdin.next('b');
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(shown(s2.sent)).toEqual([bin('a'), '{"type":"signal","sig":15}', bin('b')]);
  });

  it('a late subscriber to failures still sees the failure', () => {
    const signal = new Subject<number>();
    const outbox = new Outbox({ signal });
    outbox.connect(fakeSocket().handle);
    signal.next(9);
    let seen: unknown;
    outbox.failures.subscribe({ error: (error: unknown) => (seen = error) });
    expect(seen).toBeInstanceOf(RangeError);
  });
});

describe('Outbox: resize', () => {
  it('sends a resize live while connected', () => {
    const { resize, outbox } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    resize.next({ cols: 80, rows: 24 });
    expect(socket.sent).toEqual(['{"type":"resize","cols":80,"rows":24}']);
  });

  it.each([
    [1, 1],
    [65535, 65535],
  ])('accepts the bounds %ix%i', (cols, rows) => {
    const { resize, outbox, failures } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    resize.next({ cols, rows });
    expect(socket.sent).toEqual([`{"type":"resize","cols":${cols},"rows":${rows}}`]);
    expect(failures).toEqual([]);
  });

  it.each([
    [0, 24],
    [80, 0],
    [65536, 24],
    [80, 65536],
    [-1, 24],
    [80.5, 24],
    [Number.NaN, 24],
    [80, Number.POSITIVE_INFINITY],
    ['80', 24],
  ])('reports %sx%s as a RangeError on failures and sends nothing', (cols, rows) => {
    const { resize, outbox, failures } = setup();
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    resize.next({ cols: cols as number, rows });
    expect(socket.sent).toEqual([]);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(RangeError);
    expect((failures[0] as Error).name).toBe('RangeError');
    expect((failures[0] as Error).message).toBe(`resize: cols and rows must be integers from 1 to 65535, got ${cols}x${rows}`);
  });

  it('coalesces resizes while disconnected to the latest, sent first on the next socket', () => {
    const { stdin, resize, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    outbox.disconnect(s1.handle);
    stdin.next('x');
    resize.next({ cols: 80, rows: 24 });
    resize.next({ cols: 100, rows: 30 });
    resize.next({ cols: 120, rows: 40 });
    expect(s1.sent).toEqual([]);
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(shown(s2.sent)).toEqual(['{"type":"resize","cols":120,"rows":40}', bin('x')]);
  });

  it('sends the last size again to each new socket', () => {
    const { resize, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    resize.next({ cols: 90, rows: 20 });
    outbox.disconnect(s1.handle);
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(s2.sent).toEqual(['{"type":"resize","cols":90,"rows":20}']);
  });

  it('a bad size does not replace the last good one', () => {
    const { resize, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    outbox.disconnect(s1.handle);
    resize.next({ cols: 90, rows: 20 });
    resize.next({ cols: 0, rows: 20 });
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(s2.sent).toEqual(['{"type":"resize","cols":90,"rows":20}']);
  });

  it('reports the error of the resize input itself', () => {
    const { resize, outbox, failures } = setup();
    outbox.connect(fakeSocket().handle);
    const boom = new Error('tty gone');
    resize.error(boom);
    expect(failures[0]).toBe(boom);
  });
});

describe('Outbox: dispose', () => {
  it('stops reading the inputs and drops the queue', () => {
    const { stdin, resize, signal, outbox } = setup();
    const s1 = fakeSocket();
    outbox.connect(s1.handle);
    outbox.disconnect(s1.handle);
    stdin.next('queued');
    outbox.dispose();
    expect([stdin.observed, resize.observed, signal.observed]).toEqual([false, false, false]);
    const s2 = fakeSocket();
    outbox.connect(s2.handle);
    expect(s2.sent).toEqual([]);
  });

  it('sends nothing to the socket it had after dispose', () => {
    const stdin = new Subject<string>();
    const input: AttachInput = { stdin };
    const outbox = new Outbox(input);
    const socket = fakeSocket();
    outbox.connect(socket.handle);
    outbox.dispose();
    stdin.next('late');
    expect(socket.sent).toEqual([]);
  });
});
