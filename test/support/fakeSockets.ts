import type { WebSocketConstructor } from '../../src/transport/webSocket.js';

type Listener = (...args: never[]) => void;

/** A `ws`-shaped socket driven by the test: no network. */
export class FakeNodeSocket {
  static instances: FakeNodeSocket[] = [];
  readyState = 0;
  binaryType = 'nodebuffer';
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  readonly sent: (string | Uint8Array)[] = [];
  closedWith: number | undefined;
  terminated = false;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(
    readonly url: string,
    readonly options?: { headers?: Record<string, string> },
  ) {
    FakeNodeSocket.instances.push(this);
  }

  static reset(): typeof FakeNodeSocket {
    FakeNodeSocket.instances = [];
    return FakeNodeSocket;
  }

  static get last(): FakeNodeSocket {
    const socket = FakeNodeSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }

  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }

  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 2;
  }

  terminate(): void {
    const wasConnecting = this.readyState === 0;
    this.terminated = true;
    this.readyState = 3;
    if (wasConnecting) {
      this.emit('error', new Error('WebSocket was closed before the connection was established'));
      this.emit('close', 1006, Buffer.alloc(0));
    }
  }

  // Test drivers.
  open(): void {
    this.readyState = 1;
    this.emit('open');
  }

  binary(bytes: number[]): void {
    this.emit('message', Buffer.from(bytes), true);
  }

  text(text: string): void {
    this.emit('message', Buffer.from(text), false);
  }

  ping(): void {
    this.emit('ping', Buffer.alloc(0));
  }

  cut(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.emit('close', code, Buffer.from(reason));
  }

  refuse(status: number, body: string): void {
    const handlers = new Map<string, (chunk?: Uint8Array) => void>();
    const response = {
      statusCode: status,
      on: (event: string, handler: (chunk?: Uint8Array) => void) => handlers.set(event, handler),
      destroy: () => undefined,
    };
    this.emit('unexpected-response', {}, response);
    handlers.get('data')?.(Buffer.from(body));
    handlers.get('end')?.();
  }
}

/** A DOM-shaped socket (no headers, no pings, no status): what browsers give. */
export class FakeDomSocket {
  static instances: FakeDomSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: (string | Uint8Array)[] = [];
  closedWith: number | undefined;

  constructor(
    readonly url: string,
    readonly protocols?: unknown,
  ) {
    FakeDomSocket.instances.push(this);
  }

  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }

  close(code?: number): void {
    this.closedWith = code;
    this.readyState = 2;
  }
}

export const asConstructor = (Ctor: unknown): WebSocketConstructor => Ctor as WebSocketConstructor;
