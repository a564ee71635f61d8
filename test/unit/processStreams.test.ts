import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readerGone } from '../../src/cli/exitStatus.js';
import { drained } from '../../src/cli/processStreams.js';

/** A stream whose reader goes away while a write is pending: that write and every later one fail with `code`. */
function leavingReader(code: string): { stream: Writable; leave: () => void } {
  let pending: ((error: Error) => void) | undefined;
  const failure = Object.assign(new Error(`write ${code}`), { code });
  const stream = new Writable({
    write(_chunk, _encoding, callback) {
      if (pending === undefined) pending = callback;
      else callback(failure);
    },
  });
  return { stream, leave: () => pending?.(failure) };
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

  it.each(['EPIPE', 'ECONNRESET'])('resolves when the reader leaves with bytes pending (%s), and leaves no unhandled error', async (code) => {
    const { stream, leave } = leavingReader(code);
    stream.write('pending\n');
    const done = drained(stream);
    leave();
    await expect(done).resolves.toBeUndefined();
    // An 'error' event without a listener would throw; one more tick lets it come if it were going to.
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.destroyed).toBe(true);
  });

  it('with nothing pending, resolves at once and writes nothing: a reader gone after the output cannot fail the run', async () => {
    let writes = 0;
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        writes += 1;
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    await expect(drained(stream)).resolves.toBeUndefined();
    expect(writes).toBe(0);
    expect(stream.destroyed).toBe(false);
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
