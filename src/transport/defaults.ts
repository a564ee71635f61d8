import type { FetchLike } from './http.js';
import type { WebSocketConstructor } from './webSocket.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/**
 * The WebSocket used when none is given: `ws` in Node (it sends the Authorization header and shows
 * pings and refusal statuses), the platform's own elsewhere.
 */
export async function defaultWebSocket(): Promise<WebSocketConstructor> {
  if (isNode) {
    const ws = await import('ws');
    return (ws.WebSocket ?? ws.default) as unknown as WebSocketConstructor;
  }
  const native = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof native !== 'function') throw new TypeError('no WebSocket implementation: pass the `WebSocket` option');
  return native as WebSocketConstructor;
}

/** The fetch used when none is given: the platform's own, else `cross-fetch`. */
export async function defaultFetch(): Promise<FetchLike> {
  const native = (globalThis as { fetch?: unknown }).fetch;
  if (typeof native === 'function') return (native as FetchLike).bind(globalThis) as FetchLike;
  const crossFetch = await import('cross-fetch');
  return (crossFetch.fetch ?? crossFetch.default) as unknown as FetchLike;
}
