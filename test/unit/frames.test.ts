import { describe, expect, it } from 'vitest';
import type { NoticeEvent, OutputEvent } from '../../src/events.js';
import {
  decodeBinaryFrame,
  decodeTextFrame,
  encodeControlMessage,
  encodeErrorFrame,
  encodeExitFrame,
  encodeOutputFrame,
} from '../../src/protocol/frames.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('decodeBinaryFrame', () => {
  it('decodes channel 0x01 as stdout with the payload bytes', () => {
    const event = decodeBinaryFrame(bytes(0x01, 0x68, 0x69, 0x00, 0xff)) as OutputEvent;
    expect(event.type).toBe('stdout');
    expect(Array.from(event.data)).toEqual([0x68, 0x69, 0x00, 0xff]);
  });

  it('decodes channel 0x02 as stderr', () => {
    const event = decodeBinaryFrame(bytes(0x02, 0xe2, 0x82)) as OutputEvent;
    expect(event).toEqual({ type: 'stderr', data: bytes(0xe2, 0x82) });
  });

  it('returns a view of the frame, not a copy', () => {
    const frame = bytes(0x01, 10, 20, 30);
    const event = decodeBinaryFrame(frame) as OutputEvent;
    expect(event.data.buffer).toBe(frame.buffer);
    expect(event.data.byteOffset).toBe(1);
    expect(event.data.length).toBe(3);
    frame[2] = 99;
    expect(event.data[1]).toBe(99);
  });

  it('keeps the offset of a frame that is itself a view', () => {
    const backing = bytes(0xaa, 0xbb, 0x02, 7, 8);
    const event = decodeBinaryFrame(backing.subarray(2)) as OutputEvent;
    expect(event.type).toBe('stderr');
    expect(Array.from(event.data)).toEqual([7, 8]);
  });

  it('returns undefined for a channel byte with an empty payload', () => {
    expect(decodeBinaryFrame(bytes(0x01))).toBeUndefined();
    expect(decodeBinaryFrame(bytes(0x02))).toBeUndefined();
  });

  it('reports an empty frame as malformed', () => {
    expect(decodeBinaryFrame(new Uint8Array(0))).toEqual({
      type: 'notice',
      kind: 'malformed-frame',
      message: 'empty binary frame',
    });
  });

  it.each([
    [0x00, '0x00'],
    [0x03, '0x03'],
    [0x7f, '0x7f'],
    [0xff, '0xff'],
  ])('reports unknown channel %i as malformed, with the payload size', (channel, hex) => {
    expect(decodeBinaryFrame(bytes(channel, 1, 2, 3))).toEqual({
      type: 'notice',
      kind: 'malformed-frame',
      message: `unknown channel byte ${hex}`,
      bytes: 3,
    });
  });

  it('reports an unknown channel without payload with bytes 0', () => {
    expect((decodeBinaryFrame(bytes(0x09)) as NoticeEvent).bytes).toBe(0);
  });
});

describe('decodeTextFrame', () => {
  it('decodes an exit frame', () => {
    expect(decodeTextFrame('{"type":"exit","exit_code":0}')).toEqual({ type: 'exit', exitCode: 0, source: 'frame' });
  });

  it.each([1, 127, 137, 255, -1, -15])('keeps exit code %i', (code) => {
    expect(decodeTextFrame(`{"type":"exit","exit_code":${code}}`)).toEqual({
      type: 'exit',
      exitCode: code,
      source: 'frame',
    });
  });

  it('ignores extra fields on an exit frame', () => {
    expect(decodeTextFrame('{"exit_code":3,"type":"exit","extra":true}')).toEqual({
      type: 'exit',
      exitCode: 3,
      source: 'frame',
    });
  });

  it.each([
    ['missing', '{"type":"exit"}'],
    ['null', '{"type":"exit","exit_code":null}'],
    ['a string', '{"type":"exit","exit_code":"0"}'],
    ['a fraction', '{"type":"exit","exit_code":1.5}'],
    ['a boolean', '{"type":"exit","exit_code":false}'],
  ])('reports an exit frame whose exit_code is %s as malformed', (_what, text) => {
    expect(decodeTextFrame(text)).toEqual({
      type: 'notice',
      kind: 'malformed-frame',
      message: 'exit frame without an integer exit_code',
    });
  });

  it('decodes an error frame as a server-error notice', () => {
    expect(decodeTextFrame('{"type":"error","message":"signal 9 not allowed"}')).toEqual({
      type: 'notice',
      kind: 'server-error',
      message: 'signal 9 not allowed',
    });
  });

  it('keeps an empty error message as it is', () => {
    expect(decodeTextFrame('{"type":"error","message":""}')).toEqual({
      type: 'notice',
      kind: 'server-error',
      message: '',
    });
  });

  it.each(['{"type":"error"}', '{"type":"error","message":42}', '{"type":"error","message":null}'])(
    'gives an error frame without a string message a placeholder: %s',
    (text) => {
      expect(decodeTextFrame(text)).toEqual({
        type: 'notice',
        kind: 'server-error',
        message: 'error frame without a message',
      });
    },
  );

  it.each([
    ['{"type":"exit"', 14],
    ['not json', 8],
    ['', 0],
  ])('reports invalid JSON %j with its length', (text, length) => {
    expect(decodeTextFrame(text)).toEqual({
      type: 'notice',
      kind: 'malformed-frame',
      message: `invalid JSON in a text frame (${length} chars)`,
    });
  });

  it.each(['null', '42', '"exit"', 'true'])('reports a non-object JSON value %s as malformed', (text) => {
    expect(decodeTextFrame(text)).toEqual({
      type: 'notice',
      kind: 'malformed-frame',
      message: 'text frame is not a JSON object',
    });
  });

  it.each([
    ['{"type":"resize","cols":80,"rows":24}', 'unknown text frame type "resize"'],
    ['{"type":7}', 'unknown text frame type 7'],
    ['{"type":null}', 'unknown text frame type null'],
    ['{}', 'unknown text frame type undefined'],
    ['[]', 'unknown text frame type undefined'],
    ['{"type":"EXIT","exit_code":0}', 'unknown text frame type "EXIT"'],
  ])('reports unknown type in %s', (text, message) => {
    expect(decodeTextFrame(text)).toEqual({ type: 'notice', kind: 'malformed-frame', message });
  });
});

describe('encoders', () => {
  it('encodes stdout and stderr frames with the channel byte first', () => {
    const data = bytes(0x00, 0x80, 0xff);
    expect(Array.from(encodeOutputFrame('stdout', data))).toEqual([0x01, 0x00, 0x80, 0xff]);
    expect(Array.from(encodeOutputFrame('stderr', data))).toEqual([0x02, 0x00, 0x80, 0xff]);
  });

  it('encodes an empty payload as the channel byte alone', () => {
    expect(Array.from(encodeOutputFrame('stdout', new Uint8Array(0)))).toEqual([0x01]);
  });

  it('copies the payload into a new frame', () => {
    const data = bytes(1, 2);
    const frame = encodeOutputFrame('stdout', data);
    data[0] = 9;
    expect(Array.from(frame)).toEqual([0x01, 1, 2]);
  });

  it('round-trips output frames through decodeBinaryFrame', () => {
    const data = bytes(0xe2, 0x82, 0xac, 0x0a);
    for (const stream of ['stdout', 'stderr'] as const) {
      const event = decodeBinaryFrame(encodeOutputFrame(stream, data)) as OutputEvent;
      expect(event.type).toBe(stream);
      expect(Array.from(event.data)).toEqual(Array.from(data));
    }
  });

  it('encodes the exit frame exactly', () => {
    expect(encodeExitFrame(0)).toBe('{"type":"exit","exit_code":0}');
    expect(encodeExitFrame(-1)).toBe('{"type":"exit","exit_code":-1}');
    expect(decodeTextFrame(encodeExitFrame(137))).toEqual({ type: 'exit', exitCode: 137, source: 'frame' });
  });

  it('encodes the error frame exactly, escaping the message', () => {
    expect(encodeErrorFrame('bad "sig"\n')).toBe('{"type":"error","message":"bad \\"sig\\"\\n"}');
    expect(decodeTextFrame(encodeErrorFrame('bad "sig"\n'))).toEqual({
      type: 'notice',
      kind: 'server-error',
      message: 'bad "sig"\n',
    });
  });

  it('encodes the client control messages exactly', () => {
    expect(encodeControlMessage({ type: 'resize', cols: 80, rows: 24 })).toBe('{"type":"resize","cols":80,"rows":24}');
    expect(encodeControlMessage({ type: 'signal', sig: 2 })).toBe('{"type":"signal","sig":2}');
    expect(encodeControlMessage({ type: 'stdin_eof' })).toBe('{"type":"stdin_eof"}');
  });
});
