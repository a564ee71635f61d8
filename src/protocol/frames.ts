import { parseJson } from './json.js';
import { notice, type ExitEvent, type NoticeEvent, type OutputEvent } from '../events.js';
import {
  STDERR_CHANNEL,
  STDOUT_CHANNEL,
  type ClientControlMessage,
  type OutputStream,
} from './types.js';

/**
 * Decodes one binary frame, `[channel] ++ payload`, into its event. The payload is a plain
 * `Uint8Array` view of the frame (never a copy, and never a Node `Buffer` even when the frame is
 * one, so `slice` copies as usual). An empty payload yields `undefined` (nothing to deliver); an
 * empty frame or an unknown channel yields a `malformed-frame` notice.
 */
export function decodeBinaryFrame(frame: Uint8Array): OutputEvent | NoticeEvent | undefined {
  const channel = frame[0];
  if (channel === STDOUT_CHANNEL || channel === STDERR_CHANNEL) {
    if (frame.length === 1) return undefined;
    // One allocation per frame: the view is made from the buffer directly, not `subarray` of a view.
    const data = new Uint8Array(frame.buffer, frame.byteOffset + 1, frame.length - 1);
    return { type: channel === STDOUT_CHANNEL ? 'stdout' : 'stderr', data };
  }
  if (channel === undefined) return notice('malformed-frame', 'empty binary frame');
  return notice('malformed-frame', `unknown channel byte 0x${channel.toString(16).padStart(2, '0')}`, {
    bytes: frame.length - 1,
  });
}

/**
 * Decodes one text frame: `{"type":"exit","exit_code":N}` becomes the exit event,
 * `{"type":"error","message":"…"}` a `server-error` notice. Anything else (invalid JSON, an
 * unknown type, an exit without an integer code) is a `malformed-frame` notice.
 */
export function decodeTextFrame(text: string): ExitEvent | NoticeEvent {
  // JSON never parses to undefined: undefined is text that is not JSON.
  const message = parseJson(text);
  if (message === undefined) return notice('malformed-frame', `invalid JSON in a text frame (${text.length} chars)`);
  if (typeof message !== 'object' || message === null) {
    return notice('malformed-frame', 'text frame is not a JSON object');
  }
  const { type } = message as { type?: unknown };
  if (type === 'exit') {
    const code = (message as { exit_code?: unknown }).exit_code;
    if (typeof code === 'number' && Number.isInteger(code)) return { type: 'exit', exitCode: code, source: 'frame' };
    return notice('malformed-frame', 'exit frame without an integer exit_code');
  }
  if (type === 'error') {
    const detail = (message as { message?: unknown }).message;
    return notice('server-error', typeof detail === 'string' ? detail : 'error frame without a message');
  }
  return notice('malformed-frame', `unknown text frame type ${JSON.stringify(type) ?? 'undefined'}`);
}

/** Encodes an output frame as the server sends it. */
export function encodeOutputFrame(stream: OutputStream, data: Uint8Array): Uint8Array {
  const frame = new Uint8Array(data.length + 1);
  frame[0] = stream === 'stdout' ? STDOUT_CHANNEL : STDERR_CHANNEL;
  frame.set(data, 1);
  return frame;
}

/** Encodes the exit frame as the server sends it. */
export function encodeExitFrame(exitCode: number): string {
  return JSON.stringify({ type: 'exit', exit_code: exitCode });
}

/** Encodes a non-fatal error frame as the server sends it. */
export function encodeErrorFrame(message: string): string {
  return JSON.stringify({ type: 'error', message });
}

/** Encodes a client control message (resize, signal, stdin_eof). */
export function encodeControlMessage(message: ClientControlMessage): string {
  return JSON.stringify(message);
}
