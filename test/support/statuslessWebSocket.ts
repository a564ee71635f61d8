import { WebSocket } from 'ws';

/**
 * `ws` dressed as a runtime's own WebSocket (Node >= 22's global, Deno's, a browser's): DOM-style
 * handlers only, so the client takes it for one; no refusal status, no body, no pings reach it.
 * Headers in the second argument are sent, as Node's and Deno's global WebSocket send them.
 */
export class StatuslessWebSocket {
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly #socket: WebSocket;

  constructor(url: string, options?: { readonly headers?: Record<string, string> }) {
    this.#socket = new WebSocket(url, { headers: options?.headers ?? {} });
    this.#socket.onopen = () => this.onopen?.({ type: 'open' });
    this.#socket.onmessage = (event) => this.onmessage?.({ data: event.data });
    // What a DOM socket reports of a refused upgrade: an `error` event with no status or message.
    this.#socket.onerror = () => this.onerror?.({ type: 'error' });
    this.#socket.onclose = (event) => this.onclose?.({ code: event.code, reason: event.reason });
  }

  get binaryType(): string {
    return this.#socket.binaryType;
  }

  set binaryType(type: string) {
    this.#socket.binaryType = type as WebSocket['binaryType'];
  }

  get readyState(): number {
    return this.#socket.readyState;
  }

  send(data: string | Uint8Array): void {
    this.#socket.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#socket.close(code, reason);
  }
}

