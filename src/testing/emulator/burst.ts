/**
 * Writing a burst of output frames in one socket write: the frames are laid out in one buffer
 * (RFC 6455 §5.2: FIN set, no mask, shortest length form, exactly what `ws.send` writes) and
 * handed to the socket under `ws` at once, corked, so a burst of tiny chunks costs one system call
 * instead of one per frame. Large payloads are not copied into the buffer but written as they are.
 */

import type { WebSocket } from 'ws';
import { STDERR_CHANNEL, STDOUT_CHANNEL, type OutputStream } from '../../protocol/types.js';

/** One output chunk of a burst. */
export interface BurstChunk {
  readonly stream: OutputStream;
  readonly data: Uint8Array;
}

interface RawSocket {
  write(data: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  cork(): void;
  uncork(): void;
}

const BINARY_OPCODE = 0x2;
/** Payloads up to this many bytes are copied into the burst's buffer; larger ones are written as they are. */
const COPY_LIMIT = 1024;

/** The socket under `ws`, which keeps it private; undefined if it is not there. */
function rawSocket(ws: WebSocket): RawSocket | undefined {
  const socket = (ws as unknown as { _socket?: Partial<RawSocket> })._socket;
  const usable = typeof socket?.write === 'function' && typeof socket.cork === 'function' && typeof socket.uncork === 'function';
  return usable ? (socket as RawSocket) : undefined;
}

function headerBytes(payload: number): number {
  return payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
}

/** Writes a binary frame header for `payload` bytes at `offset`; returns the offset after it. */
function writeHeader(out: Buffer, offset: number, payload: number): number {
  out[offset] = 0x80 | BINARY_OPCODE;
  if (payload < 126) {
    out[offset + 1] = payload;
    return offset + 2;
  }
  if (payload < 65_536) {
    out[offset + 1] = 126;
    out.writeUInt16BE(payload, offset + 2);
    return offset + 4;
  }
  out[offset + 1] = 127;
  out.writeBigUInt64BE(BigInt(payload), offset + 2);
  return offset + 10;
}

/**
 * Sends `chunks` as one `[channel] ++ data` binary frame each, in one write. Call it only while
 * `ws` is open and nothing else is mid-frame (no per-message compression).
 * @returns resolves true once the burst reached the kernel, false if the write failed.
 */
export function sendBurst(ws: WebSocket, chunks: readonly BurstChunk[]): Promise<boolean> {
  const socket = rawSocket(ws);
  if (socket === undefined) throw new TypeError('sendBurst: the WebSocket has no underlying socket');
  let size = 0;
  for (const { data } of chunks) size += headerBytes(data.length + 1) + 1 + (data.length <= COPY_LIMIT ? data.length : 0);
  const out = Buffer.allocUnsafe(size);
  const parts: Uint8Array[] = [];
  let offset = 0;
  let start = 0;
  for (const { stream, data } of chunks) {
    offset = writeHeader(out, offset, data.length + 1);
    out[offset] = stream === 'stdout' ? STDOUT_CHANNEL : STDERR_CHANNEL;
    offset += 1;
    if (data.length <= COPY_LIMIT) {
      out.set(data, offset);
      offset += data.length;
    } else {
      parts.push(out.subarray(start, offset), data);
      start = offset;
    }
  }
  if (offset > start) parts.push(out.subarray(start, offset));
  return new Promise((resolve) => {
    socket.cork();
    const last = parts.length - 1;
    parts.forEach((part, index) => {
      if (index === last) socket.write(part, (error) => resolve(error == null));
      else socket.write(part);
    });
    socket.uncork();
  });
}

/**
 * Writes the start of one output frame, `payloadBytes` bytes of its data and no more: what a
 * client sees of a frame the connection was cut in the middle of. A WebSocket client discards
 * such a frame, since messages arrive whole or not at all. Call it only right before a cut.
 */
export function sendTruncatedFrame(ws: WebSocket, { stream, data }: BurstChunk, payloadBytes: number): void {
  const socket = rawSocket(ws);
  if (socket === undefined) throw new TypeError('sendTruncatedFrame: the WebSocket has no underlying socket');
  const header = Buffer.allocUnsafe(headerBytes(data.length + 1) + 1);
  const offset = writeHeader(header, 0, data.length + 1);
  header[offset] = stream === 'stdout' ? STDOUT_CHANNEL : STDERR_CHANNEL;
  socket.write(header);
  socket.write(data.subarray(0, payloadBytes));
}
