import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/transport/outbox.js';
import type { SocketHandle } from '../../src/transport/webSocket.js';

// `opened`: whether a socket of this outbox has opened, read by `followExecution` (a refusal
// before any open is another error than one after) instead of a subscription to `opens`.

const handle = (open: boolean): SocketHandle => ({ isOpen: () => open, send: () => undefined, dispose: () => undefined });

describe('Outbox.opened', () => {
  it('is false until a socket opens, true from then on, across later sockets and disconnects', () => {
    const outbox = new Outbox({}).start();
    expect(outbox.opened).toBe(false);
    const first = handle(true);
    outbox.connect(first);
    expect(outbox.opened).toBe(true);
    outbox.disconnect(first);
    expect(outbox.opened).toBe(true);
    outbox.connect(handle(true));
    expect(outbox.opened).toBe(true);
  });

  it('is already true when `opens` emits', () => {
    const outbox = new Outbox({}).start();
    const seen: boolean[] = [];
    outbox.opens.subscribe(() => seen.push(outbox.opened));
    outbox.connect(handle(true));
    outbox.connect(handle(true));
    expect(seen).toEqual([true, true]);
  });

  it('stays false for a disposed outbox, which connects nothing', () => {
    const outbox = new Outbox({}).start();
    outbox.dispose();
    outbox.connect(handle(true));
    expect(outbox.opened).toBe(false);
  });
});
