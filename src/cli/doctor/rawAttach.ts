/**
 * An attach socket that sends no Close of its own (nor Pongs): it reads the server's frames off the
 * raw connection, so the doctor sees what a server does after the exit frame while the client has
 * not closed yet: send its Close at once or later, and drop the connection at once (the Go runner)
 * or only once the client's Close came or its wait ran out (a newer runner). `ws` cannot show this:
 * it answers a Close by itself.
 */

import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { isExitFrame, type WireFrame } from './wireSession.js';

/** What the raw attach saw, times from `performance.now()`. */
export interface RawAttach {
  /** 101, or the status of the refusal (0: no answer). */
  readonly status: number;
  /** Why there was no answer, when there was none. */
  readonly failed?: string;
  /** Data frames, in order. */
  readonly frames: readonly WireFrame[];
  readonly exitAt?: number;
  readonly close?: { readonly code: number; readonly at: number };
  /** When the server ended the connection, if it did within the bound. */
  readonly droppedAt?: number;
}

/** Bounds of the raw attach. */
export interface RawAttachBounds {
  readonly connectMs: number;
  /** From the upgrade to the exit frame. */
  readonly runMs: number;
  /** From the exit frame to the server dropping the connection; then the doctor sends its Close and leaves. */
  readonly observeMs: number;
}

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;

/** A masked client Close 1000, sent when the doctor leaves by itself. */
function clientClose(): Buffer {
  const mask = randomBytes(4);
  const payload = Buffer.from([0x03, 0xe8]);
  return Buffer.concat([Buffer.from([0x80 | OP_CLOSE, 0x80 | payload.length]), mask, payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0))]);
}

/** Reads server frames out of a byte stream: unmasked, possibly fragmented. */
class FrameReader {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentOp = 0;

  /** Appends bytes and returns the whole messages they complete, with their opcode. */
  push(chunk: Buffer): { readonly op: number; readonly payload: Buffer }[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const messages: { op: number; payload: Buffer }[] = [];
    for (;;) {
      const frame = this.nextFrame();
      if (frame === undefined) return messages;
      if (frame.op >= OP_CLOSE) messages.push(frame);
      else {
        if (frame.op !== OP_CONTINUATION) this.fragmentOp = frame.op;
        this.fragments.push(frame.payload);
        if (frame.fin) {
          messages.push({ op: this.fragmentOp, payload: Buffer.concat(this.fragments) });
          this.fragments = [];
        }
      }
    }
  }

  private nextFrame(): { readonly fin: boolean; readonly op: number; readonly payload: Buffer } | undefined {
    const b = this.buffer;
    if (b.length < 2) return undefined;
    let length = (b[1] ?? 0) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      length = Number(b.readBigUInt64BE(2));
      offset = 10;
    }
    const masked = ((b[1] ?? 0) & 0x80) !== 0;
    const start = offset + (masked ? 4 : 0);
    if (b.length < start + length) return undefined;
    const payload = Buffer.from(b.subarray(start, start + length));
    if (masked) payload.forEach((byte, i) => (payload[i] = byte ^ (b[offset + (i % 4)] ?? 0)));
    this.buffer = b.subarray(start + length);
    return { fin: ((b[0] ?? 0) & 0x80) !== 0, op: (b[0] ?? 0) & 0x0f, payload };
  }
}

/** Follows the upgraded connection to its end, or to the bounds. */
function follow(socket: Duplex, head: Buffer, bounds: RawAttachBounds): Promise<RawAttach> {
  const frames: WireFrame[] = [];
  const reader = new FrameReader();
  let exitAt: number | undefined;
  let close: RawAttach['close'];
  return new Promise((resolve) => {
    const leave = (droppedAt: number | undefined): void => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (droppedAt === undefined && socket.writable) socket.end(clientClose());
      socket.destroy();
      resolve({ status: 101, frames, ...(exitAt === undefined ? {} : { exitAt }), ...(close === undefined ? {} : { close }), ...(droppedAt === undefined ? {} : { droppedAt }) });
    };
    let timer = setTimeout(() => leave(undefined), bounds.runMs);
    const onData = (chunk: Buffer): void => {
      const at = performance.now();
      for (const { op, payload } of reader.push(chunk)) {
        if (op === OP_CLOSE) close ??= { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, at };
        else if (op < OP_CLOSE) {
          const frame: WireFrame = op === OP_TEXT ? { binary: false, text: payload.toString('utf8') } : { binary: true, data: new Uint8Array(payload) };
          frames.push(frame);
          if (exitAt === undefined && isExitFrame(frame)) {
            exitAt = at;
            clearTimeout(timer);
            timer = setTimeout(() => leave(undefined), bounds.observeMs);
          }
        }
      }
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
    socket.once('end', () => leave(performance.now()));
    socket.once('close', () => leave(performance.now()));
    if (head.length > 0) onData(head);
  });
}

/** The refusal's status, once its body is read (the body itself is not needed here). */
function refused(response: IncomingMessage): Promise<RawAttach> {
  return new Promise((resolve) => {
    response.resume();
    response.once('end', () => resolve({ status: response.statusCode ?? 0, frames: [] }));
    response.once('error', () => resolve({ status: response.statusCode ?? 0, frames: [] }));
  });
}

/**
 * Attaches without ever sending a Close first.
 * @param url the `ws:`/`wss:` attach URL.
 * @param token the bearer token, sent in the `Authorization` header.
 * @param bounds how long each phase may take.
 */
export function rawAttach(url: string, token: string | undefined, bounds: RawAttachBounds): Promise<RawAttach> {
  const target = new URL(url.replace(/^ws/i, 'http'));
  const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': randomBytes(16).toString('base64'),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    timeout: bounds.connectMs,
  });
  return new Promise((resolve) => {
    request.once('upgrade', (_response, socket, head) => {
      request.removeAllListeners('timeout');
      socket.setTimeout(0);
      void follow(socket, head, bounds).then(resolve);
    });
    request.once('response', (response) => void refused(response).then(resolve));
    request.once('timeout', () => request.destroy(new Error(`no answer to the upgrade within ${bounds.connectMs / 1000} s`)));
    request.once('error', (error) => resolve({ status: 0, failed: error.message, frames: [] }));
    request.end();
  });
}
