import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readerGone } from '../../src/cli/exitStatus.js';
import { drained } from '../../src/cli/processStreams.js';

/** A stream whose reader has gone: every write fails with `code`, as a closed pipe or socket does. */
function goneReader(code: string): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback(Object.assign(new Error(`write ${code}`), { code }));
    },
  });
}

describe('drained', () => {
  it('resolves once the bytes written before it are handed on', async () => {
    const handed: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        handed.push(chunk.toString());
        setImmediate(callback);
      },
    });
    stream.write('one\n');
    await drained(stream);
    expect(handed.join('')).toBe('one\n');
    expect(stream.listenerCount('error')).toBe(0);
  });

  it.each(['EPIPE', 'ECONNRESET'])('resolves on a stream that fails with %s, and leaves no unhandled error', async (code) => {
    const stream = goneReader(code);
    await expect(drained(stream)).resolves.toBeUndefined();
    // An 'error' event without a listener would throw; one more tick lets it come if it were going to.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.destroyed).toBe(true);
  });
});

describe('readerGone', () => {
  it('is EPIPE on a pipe and ECONNRESET on a socket whose reader left with bytes unread; nothing else', () => {
    expect(readerGone(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
    expect(readerGone(Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(readerGone(Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' }))).toBe(false);
    expect(readerGone(Object.assign(new Error('write EIO'), { code: 'EIO' }))).toBe(false);
    expect(readerGone(undefined)).toBe(false);
  });
});
