/**
 * One raw attach WebSocket for the doctor: every frame exactly as it came, every Ping, the refusal
 * status and body of an upgrade that failed, and the Close code, each stamped with the time it
 * arrived. The doctor measures the server through it, so nothing is interpreted here.
 */

import { filter, firstValueFrom, of, ReplaySubject, take, timeout } from 'rxjs';
import { WebSocket, type RawData } from 'ws';

/** A frame as received: binary (channel byte included) or text. */
export type WireFrame = { readonly binary: true; readonly data: Uint8Array } | { readonly binary: false; readonly text: string };

/** What happened on the socket, with `at` from `performance.now()`. */
export type WireEvent =
  | { readonly kind: 'open'; readonly at: number }
  | { readonly kind: 'refused'; readonly status: number; readonly body: string; readonly at: number }
  | { readonly kind: 'frame'; readonly frame: WireFrame; readonly at: number }
  | { readonly kind: 'ping'; readonly at: number }
  | { readonly kind: 'closed'; readonly code: number; readonly at: number }
  | { readonly kind: 'failed'; readonly message: string; readonly at: number };

/** The longest a refusal body is kept: enough to tell its shape. */
const MAX_BODY_CHARS = 2_000;

/** See the file comment. */
export class WireSession {
  /** Every event so far, then the ones to come (a late waiter sees what it missed). */
  private readonly events$ = new ReplaySubject<WireEvent>();
  private readonly ws: WebSocket;
  private readonly received: WireFrame[] = [];
  private ended = false;
  /** The `X-Boxlite-Execution-Id` of the 101, if it carried one (the box route's). */
  announcedExecutionId: string | undefined;

  /**
   * Opens the socket at once.
   * @param url the `ws:`/`wss:` attach URL.
   * @param token the bearer token, sent in the upgrade's `Authorization` header (never in the URL).
   * @param connectTimeoutMs bound of the upgrade.
   */
  constructor(url: string, token: string | undefined, connectTimeoutMs: number) {
    this.ws = new WebSocket(url, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      handshakeTimeout: connectTimeoutMs,
    });
    this.ws.on('upgrade', (response) => {
      const id = response.headers['x-boxlite-execution-id'];
      this.announcedExecutionId = typeof id === 'string' ? id : undefined;
    });
    this.ws.on('open', () => this.push({ kind: 'open', at: performance.now() }));
    this.ws.on('ping', () => this.push({ kind: 'ping', at: performance.now() }));
    this.ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    this.ws.on('close', (code: number) => this.end({ kind: 'closed', code, at: performance.now() }));
    this.ws.on('error', (error: Error) => this.end({ kind: 'failed', message: error.message, at: performance.now() }));
    this.ws.on('unexpected-response', (request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < MAX_BODY_CHARS) body += chunk;
      });
      response.on('end', () => {
        this.end({ kind: 'refused', status: response.statusCode ?? 0, body: body.slice(0, MAX_BODY_CHARS), at: performance.now() });
        request.destroy();
      });
      response.on('error', () => this.end({ kind: 'refused', status: response.statusCode ?? 0, body, at: performance.now() }));
    });
  }

  /** The frames received so far, in order. */
  get frames(): readonly WireFrame[] {
    return this.received;
  }

  /**
   * The first event (past or to come) that `accept` takes, or `undefined` after `ms` without one.
   * @param accept which event is awaited.
   * @param ms the bound.
   */
  next<T extends WireEvent>(accept: (event: WireEvent) => event is T, ms: number): Promise<T | undefined> {
    return firstValueFrom(this.events$.pipe(filter(accept), take(1), timeout({ first: ms, with: () => of(undefined) })), {
      defaultValue: undefined,
    });
  }

  /** Sends a Close (1000) if the socket is open. */
  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  /** Drops the connection at once. */
  terminate(): void {
    this.ws.terminate();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const frame: WireFrame = isBinary
      ? { binary: true, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
      : { binary: false, text: bytes.toString('utf8') };
    this.received.push(frame);
    this.push({ kind: 'frame', frame, at: performance.now() });
  }

  private push(event: WireEvent): void {
    if (!this.ended) this.events$.next(event);
  }

  /** The last event of the socket: the subject completes, so waiters for anything else resolve empty. */
  private end(event: WireEvent): void {
    if (this.ended) return;
    this.events$.next(event);
    this.ended = true;
    this.events$.complete();
  }
}

/** Type guards for {@link WireSession.next}. */
export const isEvent = {
  /** The upgrade's answer: open, refused or failed. */
  answer: (event: WireEvent): event is Extract<WireEvent, { kind: 'open' | 'refused' | 'failed' }> =>
    event.kind === 'open' || event.kind === 'refused' || event.kind === 'failed',
  /** A Ping, or the end of the socket. */
  pingOrEnd: (event: WireEvent): event is Extract<WireEvent, { kind: 'ping' | 'closed' | 'failed' }> =>
    event.kind === 'ping' || event.kind === 'closed' || event.kind === 'failed',
  /** The end of the socket: closed or failed. */
  end: (event: WireEvent): event is Extract<WireEvent, { kind: 'closed' | 'failed' }> => event.kind === 'closed' || event.kind === 'failed',
  /** A text frame that says `"type":"exit"`, or the end of the socket. */
  exitOrEnd: (event: WireEvent): event is Extract<WireEvent, { kind: 'frame' | 'closed' | 'failed' }> =>
    event.kind === 'closed' || event.kind === 'failed' || (event.kind === 'frame' && isExitFrame(event.frame)),
};

/** Whether a frame is a text frame of type `exit` (its code may still be malformed). */
export function isExitFrame(frame: WireFrame): boolean {
  if (frame.binary) return false;
  try {
    const message = JSON.parse(frame.text) as unknown;
    return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'exit';
  } catch {
    return false;
  }
}
