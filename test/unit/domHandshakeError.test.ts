/**
 * A runtime WebSocket whose handshake fails with an error and never closes (Node 22's, measured:
 * `error` 32 ms after a 409, no `close` within 5 s) ends the socket at that error, as a refusal
 * without a status, so the drain's and the reconnect's retries go on at once.
 */
import { describe, expect, it } from 'vitest';
import { openSocket, type SocketEnd, type WebSocketConstructor } from '../../src/transport/webSocket.js';

class ErrorOnlySocket {
  static last: ErrorOnlySocket | undefined;
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    ErrorOnlySocket.last = this;
  }
  send(): void {}
  close(): void {}
}

const recorder = () => {
  const ends: SocketEnd[] = [];
  const listener = { open: () => undefined, binary: () => undefined, text: () => undefined, alive: () => undefined, end: (end: SocketEnd) => void ends.push(end) };
  return { ends, listener };
};

describe('the DOM WebSocket adapter', () => {
  it('ends a socket whose handshake errors, with no close to follow: opened false, 1006, the error as cause', () => {
    const { ends, listener } = recorder();
    openSocket(ErrorOnlySocket as unknown as WebSocketConstructor, 'ws://runner.test/attach', {}, () => listener);
    const error = { type: 'error' };
    ErrorOnlySocket.last?.onerror?.(error);
    expect(ends).toEqual([{ opened: false, code: 1006, reason: '', cause: error }]);
    // A close that comes after all the same (Node 24's) is not a second end.
    ErrorOnlySocket.last?.onclose?.({ code: 1006, reason: '' });
    expect(ends).toHaveLength(1);
  });

  it('after the open, an error waits for its close, which carries the code', () => {
    const { ends, listener } = recorder();
    openSocket(ErrorOnlySocket as unknown as WebSocketConstructor, 'ws://runner.test/attach', {}, () => listener);
    const socket = ErrorOnlySocket.last;
    socket?.onopen?.({});
    socket?.onerror?.({ type: 'error' });
    expect(ends).toEqual([]);
    socket?.onclose?.({ code: 1011, reason: 'pump drain timed out' });
    expect(ends).toEqual([{ opened: true, code: 1011, reason: 'pump drain timed out', cause: { type: 'error' } }]);
  });
});
