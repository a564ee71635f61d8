/**
 * A raw attach client for the emulator tests: it records every frame exactly as it arrived, and
 * every wait is bounded. Sockets still open after a test are terminated.
 */
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import { attachUrl } from '../../src/protocol/paths.js';
import type { RunnerEmulator } from '../../src/testing/index.js';
import { endpoint, nextEvent } from '../support/emulator.js';
import { within } from '../support/within.js';

const sockets: WebSocket[] = [];
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
});

/** Resolves once the execution's attach slot is free (at once if it is). */
export async function slotFree(em: RunnerEmulator, id: string): Promise<void> {
  if (em.execution(id)?.attached === true) await nextEvent(em, 'slot-released', id);
}

/** One frame as received: binary (channel byte included) or text. */
export type Frame = { readonly binary: true; readonly data: Buffer } | { readonly binary: false; readonly text: string };

/** An open attach socket and what it received. */
export interface Conn {
  readonly ws: WebSocket;
  readonly frames: Frame[];
  /** The headers of the 101. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The close code the client saw. */
  readonly closed: Promise<number>;
  /** Resolves once `count` frames arrived. */
  frameCount(count: number, ms?: number): Promise<void>;
}

/** How an attach attempt was answered. */
export type AttachResult =
  | { readonly kind: 'open'; readonly conn: Conn }
  | { readonly kind: 'refused'; readonly status: number; readonly body: string; readonly contentType: string | undefined };

/** One attach attempt (`token: null` sends none), answered within 3 s. */
export function tryAttach(em: RunnerEmulator, id: string, token: string | null = em.token, box = 'box'): Promise<AttachResult> {
  return tryAttachAt(attachUrl(endpoint(em), box, id), token);
}

/** One attach attempt to any WebSocket URL (`token: null` sends none), answered within 3 s. */
export function tryAttachAt(url: string, token: string | null): Promise<AttachResult> {
  return within(
    new Promise<AttachResult>((resolve, reject) => {
      const ws = new WebSocket(url, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
      let headers: Conn['headers'] = {};
      ws.on('upgrade', (res) => (headers = res.headers));
      sockets.push(ws);
      const frames: Frame[] = [];
      const waiters: (() => void)[] = [];
      ws.on('message', (data, isBinary) => {
        const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
        frames.push(isBinary ? { binary: true, data: Buffer.from(bytes) } : { binary: false, text: bytes.toString('utf8') });
        for (const waiter of waiters.splice(0)) waiter();
      });
      const closed = new Promise<number>((resolveClose) => ws.on('close', (code) => resolveClose(code)));
      ws.on('error', (error) => reject(error));
      const frameCount = (count: number, ms = 3000): Promise<void> =>
        within(
          new Promise<void>((done) => {
            const check = (): void => {
              if (frames.length >= count) done();
              else waiters.push(check);
            };
            check();
          }),
          ms,
          `${count} frames`,
        );
      ws.on('open', () => resolve({ kind: 'open', conn: { ws, frames, headers, closed, frameCount } }));
      ws.on('unexpected-response', (req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          resolve({ kind: 'refused', status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] });
          req.destroy();
        });
      });
    }),
    3000,
    'attach',
  );
}

/** Attaches; throws if refused. */
export async function attach(em: RunnerEmulator, id: string, box = 'box'): Promise<Conn> {
  const result = await tryAttach(em, id, em.token, box);
  if (result.kind !== 'open') throw new Error(`attach refused with ${result.status}`);
  return result.conn;
}

/** Frames in a compact readable form: `o:text`, `e:text`, `x:N`, or the raw text. */
export function show(frames: readonly Frame[]): string[] {
  return frames.map((frame) => {
    if (!frame.binary) {
      const parsed = JSON.parse(frame.text) as { type: string; exit_code?: number; message?: string };
      return parsed.type === 'exit' ? `x:${parsed.exit_code}` : `${parsed.type}:${parsed.message ?? ''}`;
    }
    const channel = frame.data[0] === 1 ? 'o' : frame.data[0] === 2 ? 'e' : `?${frame.data[0]}`;
    return `${channel}:${frame.data.subarray(1).toString('utf8')}`;
  });
}

/** The stdout payloads, concatenated. */
export function stdoutOf(frames: readonly Frame[]): Buffer {
  return Buffer.concat(frames.flatMap((f) => (f.binary && f.data[0] === 1 ? [f.data.subarray(1)] : [])));
}
