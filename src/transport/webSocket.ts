/**
 * The WebSocket adapter: one job, turning either socket flavour into plain callbacks.
 * - `ws` (Node): headers on the upgrade and of its 101, the refusal's HTTP status, Ping frames.
 * - The DOM `WebSocket` (browsers, Deno, Node ≥ 22): no headers, no status, no pings.
 */

/**
 * `true` in the browser build (`dist/index.browser.js`, package.json's `browser` condition),
 * `false` in the others (tsup's `define`), not defined when run from source (tests). Read inline
 * as `typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__`, so that a minifier folds
 * it and drops the branches it makes dead (docs/packaging.md: the browser build).
 */
declare const __BOXLITE_BROWSER__: boolean | undefined;

/**
 * An event handler, declared as a method so that it compares bivariantly: a socket whose handler
 * takes its own event type (lib.dom's `Event`, `ws`'s `MessageEvent`, Bun's `CloseEvent`) fits.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/**
 * The members of a WebSocket this library uses, in types of its own (no DOM types): `ws`'s class
 * and the global `WebSocket` of browsers, Node ≥ 22, Bun and Deno all fit.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  /** Text, or bytes on an `ArrayBuffer`: a DOM socket refuses a view of a `SharedArrayBuffer`. */
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
}

/** A WebSocket constructor: `ws`'s class or `globalThis.WebSocket`, passed as it is. */
export type WebSocketConstructor = new (url: string, options?: never) => WebSocketLike;

/** `ws` options for one socket. */
export interface SocketOptions {
  readonly headers?: Record<string, string> | undefined;
  readonly maxPayload?: number | undefined;
}

/** How a socket ended. */
export interface SocketEnd {
  /** Whether the upgrade had succeeded. */
  readonly opened: boolean;
  /** Close code: 1006 when the connection dropped without a Close frame. */
  readonly code: number;
  readonly reason: string;
  /** HTTP status of a refused upgrade, when the platform shows it. */
  readonly status?: number;
  /** Body of a refused upgrade (at most 4 KiB), when the platform shows it. */
  readonly body?: string;
  /** The underlying error, if one was reported. */
  readonly cause?: unknown;
}

/** The response headers of a 101, by lower-case name. */
export type UpgradeHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Callbacks from one socket. `end` is called once, last. */
export interface SocketListener {
  /** The upgrade succeeded; `headers` are its 101's, lower-cased, where the platform shows them (`ws`). */
  open(headers?: UpgradeHeaders): void;
  /** A binary message; it may be a Node `Buffer` (a `Uint8Array` whose `slice` does not copy). */
  binary(frame: Uint8Array): void;
  text(text: string): void;
  /** A Ping (or any other sign of life without data). */
  alive(): void;
  end(end: SocketEnd): void;
}

/**
 * Makes the listener of a socket from its handle: the handle exists before the listener, so no
 * callback, even one delivered at once, can reach a listener that lacks it.
 */
export type ListenerFor = (handle: SocketHandle) => SocketListener;

/** The handle the caller keeps. */
export interface SocketHandle {
  /** Whether the socket is open and can take a `send`. */
  readonly isOpen: () => boolean;
  send(data: string | Uint8Array): void;
  /** Detaches the listener and closes (a Close 1000 when open; abort while connecting). */
  dispose(): void;
}

interface NodeWebSocket extends WebSocketLike {
  /** `ws` sends any view. */
  send(data: string | Uint8Array): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeAllListeners(event?: string): unknown;
  terminate(): void;
}

interface NodeResponse {
  statusCode?: number;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end' | 'error', listener: () => void): unknown;
  destroy(): void;
}

const OPEN = 1;
const MAX_REFUSAL_BODY = 4096;

/** Close codes `ws` sends when it rejects a frame, by its error code. */
const REJECTED_FRAME_CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

/** The close code `ws` sent when `error` made it close the connection, if it was a rejected frame. */
function closeCodeSent(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return undefined;
  return REJECTED_FRAME_CLOSE_CODES[code] ?? 1002;
}

function isNodeWebSocket(socket: WebSocketLike): socket is NodeWebSocket {
  return typeof (socket as Partial<NodeWebSocket>).on === 'function'
    && typeof (socket as Partial<NodeWebSocket>).terminate === 'function';
}

/**
 * Opens a socket, makes its handle, and listens to it with `listenerFor(handle)`. `headers` are
 * sent on the upgrade and `maxPayload` bounds one message (a larger one closes the socket with
 * 1009); both are `ws` options, so a DOM constructor must get neither (see `createRunnerClient`'s
 * `webSocketAuth`). One adapter for both flavours: `ws` is listened to with `on` (its events carry
 * the Buffer as it is, the error itself, pings and the refusal's response), a DOM socket with its
 * `on…` handlers.
 */
export function openSocket(
  Ctor: WebSocketConstructor,
  url: string,
  options: SocketOptions,
  listenerFor: ListenerFor,
): SocketHandle {
  const { headers, maxPayload } = options;
  const nodeOptions = { ...(headers === undefined ? {} : { headers }), ...(maxPayload === undefined ? {} : { maxPayload }) };
  const socket = Object.keys(nodeOptions).length === 0
    ? new Ctor(url)
    : new (Ctor as unknown as new (url: string, options: object) => WebSocketLike)(url, nodeOptions);
  // The browser build has no `ws` adapter: a browser's sockets are DOM sockets.
  const node = !(typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__) && isNodeWebSocket(socket) ? socket : undefined;
  let opened = false;
  let ended = false;
  let cause: unknown;
  let status: number | undefined;
  let body = '';
  let upgradeHeaders: UpgradeHeaders | undefined;
  const detach = (): void => {
    ended = true;
    if (node === undefined) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      return;
    }
    node.removeAllListeners();
    node.on('error', () => undefined);
  };
  const handle: SocketHandle = {
    isOpen: () => socket.readyState === OPEN,
    // Stdin chunks go as the caller gave them: one on a SharedArrayBuffer is a DOM socket's to refuse.
    send: (data) => socket.send(data as string | Uint8Array<ArrayBuffer>),
    dispose: () => {
      detach();
      // `ws`: a Close 1000 when open, else abort; DOM: a Close while CONNECTING or OPEN (not yet closing).
      if (node !== undefined && socket.readyState !== OPEN) node.terminate();
      else if (socket.readyState <= OPEN) socket.close(1000);
    },
  };
  const listener = listenerFor(handle);
  const end = (code: number, reason: string): void => {
    if (ended) return;
    detach();
    listener.end({
      opened,
      code,
      reason,
      ...(status === undefined ? {} : { status, body: body.slice(0, MAX_REFUSAL_BODY) }),
      ...(cause === undefined ? {} : { cause }),
    });
  };
  const open = (): void => {
    opened = true;
    listener.open(upgradeHeaders);
  };
  // Checked again here: a minifier that cannot follow `node` still drops this branch in the browser build.
  if (!(typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__) && node !== undefined) {
    node.on('upgrade', (response: { headers: UpgradeHeaders }) => {
      upgradeHeaders = response.headers;
    });
    node.on('open', open);
    node.on('message', (data: Buffer, isBinary: boolean) => {
      // The Buffer as it is (no view per frame): `decodeBinaryFrame` takes a plain view of the payload.
      if (isBinary) listener.binary(data);
      else listener.text(data.toString('utf8'));
    });
    node.on('ping', () => listener.alive());
    node.on('unexpected-response', (_request: unknown, response: NodeResponse) => {
      status = response.statusCode;
      const finish = (): void => {
        response.destroy();
        node.terminate();
      };
      response.on('data', (chunk: Uint8Array) => {
        body += Buffer.from(chunk).toString('utf8');
        if (body.length >= MAX_REFUSAL_BODY) finish();
      });
      response.on('end', finish);
      response.on('error', finish);
    });
    node.on('error', (error: unknown) => {
      cause ??= error;
    });
    node.on('close', (code: number, reason: Uint8Array) => {
      const sent = closeCodeSent(cause);
      // `ws` reports 1006 for a connection it closed itself over a bad frame: name the real reason.
      if (code === 1006 && sent !== undefined) end(sent, (cause as Error).message);
      else end(code, Buffer.from(reason).toString('utf8'));
    });
    return handle;
  }
  socket.binaryType = 'arraybuffer';
  socket.onopen = open;
  socket.onmessage = (event) => {
    const { data } = event;
    if (typeof data === 'string') listener.text(data);
    else if (data instanceof ArrayBuffer) listener.binary(new Uint8Array(data));
    // A view (a runtime's own socket may give one); a browser gives the ArrayBuffer its binaryType asks for.
    else if (!(typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__) && ArrayBuffer.isView(data)) {
      listener.binary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  };
  // A failed handshake ends at its error: Node 22's WebSocket never sends the close that should follow.
  socket.onerror = (event) => {
    cause ??= event;
    if (!opened) end(1006, '');
  };
  socket.onclose = (event) => end(event.code, event.reason);
  return handle;
}
