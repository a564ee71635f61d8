import { describe, expect, it } from 'vitest';
import { EarlySocket } from '../../src/transport/earlySocket.js';
import type { SocketHandle, SocketListener } from '../../src/transport/webSocket.js';

/** A fake socket: the test plays the server through `socket`, and sees the handle's calls. */
function fakeSocket() {
  let socket!: SocketListener;
  const calls: string[] = [];
  const handle: SocketHandle = {
    isOpen: () => true,
    send: (data) => calls.push(`send ${String(data)}`),
    dispose: () => calls.push('dispose'),
  };
  const early = new EarlySocket((relayFor) => {
    socket = relayFor(handle);
    return handle;
  }, 'tok');
  return { early, handle, calls, socket: () => socket };
}

/** A listener that records what it is told. */
function recorder(): { listener: SocketListener; seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    listener: {
      open: () => seen.push('open'),
      binary: (frame) => seen.push(`binary ${Buffer.from(frame).toString()}`),
      text: (text) => seen.push(`text ${text}`),
      alive: () => seen.push('alive'),
      end: (end) => seen.push(`end ${end.code}`),
    },
  };
}

describe('EarlySocket', () => {
  it('hands what it held to the claimer, in order, then every later callback straight', () => {
    const { early, socket, handle } = fakeSocket();
    socket().open();
    socket().binary(Buffer.from('\x01a'));
    socket().alive();
    socket().text('{"type":"exit"}');
    const { listener, seen } = recorder();
    expect(early.claimed).toBe(false);
    early.claim(() => listener);
    expect(early.claimed).toBe(true);
    expect(seen).toEqual(['open', 'binary \x01a', 'alive', 'text {"type":"exit"}']);
    socket().end({ opened: true, code: 1000, reason: '' });
    expect(seen.at(-1)).toBe('end 1000');
    expect(early.handle).toBe(handle);
    expect(early.token).toBe('tok');
  });

  it('makes the claiming listener from the handle before it replays the held open, and returns the handle', () => {
    const { early, socket, handle } = fakeSocket();
    socket().open();
    const steps: string[] = [];
    const claimed = early.claim((given) => {
      steps.push(given === handle ? 'listener made with the handle' : 'listener made without the handle');
      return { ...recorder().listener, open: () => steps.push(`open, handle open: ${String(given.isOpen())}`) };
    });
    expect(steps).toEqual(['listener made with the handle', 'open, handle open: true']);
    expect(claimed).toBe(handle);
  });

  it('a claim before anything happened gets everything live', () => {
    const { early, socket } = fakeSocket();
    const { listener, seen } = recorder();
    early.claim(() => listener);
    socket().open();
    socket().end({ opened: true, code: 1006, reason: '' });
    expect(seen).toEqual(['open', 'end 1006']);
  });

  it('an end before the claim is handed over too (a refused or cut socket)', () => {
    const { early, socket } = fakeSocket();
    socket().end({ opened: false, code: 1006, reason: '', status: 409, body: 'busy' });
    const { listener, seen } = recorder();
    early.claim(() => listener);
    expect(seen).toEqual(['end 1006']);
  });

  it('can be claimed once', () => {
    const { early } = fakeSocket();
    early.claim(() => recorder().listener);
    expect(() => early.claim(() => recorder().listener)).toThrow('EarlySocket: already claimed');
  });

  it('dispose closes the socket and drops what it held', () => {
    const { early, socket, calls } = fakeSocket();
    socket().open();
    socket().binary(Buffer.from('\x01a'));
    early.dispose();
    expect(calls).toEqual(['dispose']);
    expect(early.claimed).toBe(true);
  });
});
