/**
 * `OutputQueue` against a real pipe whose reader the test drives: writes never wait for the
 * reader, bytes beyond the memory bound go to the temporary file and come back in order, and a
 * reader that leaves ends the queue with EPIPE.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, type writev } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { randomInt, seededRandom } from '../../demo/prng.js';
import { OutputQueue } from '../../src/cli/outputQueue.js';
import { OUTPUT_KINDS, realisticOutput } from '../support/realisticOutput.js';

interface Pipe {
  readonly writeFd: number;
  /** Reads what is there now, up to `max` bytes, without waiting. */
  readSome(max: number): Buffer;
  closeReader(): void;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A FIFO whose read end the test reads by hand (non-blocking) and whose write end blocks, as a shell pipe does. */
function pipe(): Pipe {
  const dir = mkdtempSync(join(tmpdir(), 'outputQueue-'));
  const path = join(dir, 'fifo');
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  let readFd: number | undefined = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  const closeReader = (): void => {
    if (readFd !== undefined) closeSync(readFd);
    readFd = undefined;
  };
  cleanups.push(() => {
    closeReader();
    closeSync(writeFd);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    writeFd,
    readSome(max) {
      const buffer = Buffer.alloc(max);
      let read = 0;
      while (read < max && readFd !== undefined) {
        let n: number;
        try {
          n = readSync(readFd, buffer, read, max - read, null);
        } catch (error: unknown) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw error;
        }
        if (n === 0) break;
        read += n;
      }
      return buffer.subarray(0, read);
    },
    closeReader,
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reads until `done` settles, one macrotask at a time (bounded: `maxTicks`). */
async function readUntil(p: Pipe, done: Promise<void>, received: Buffer[], maxTicks = 100_000): Promise<void> {
  let settled = false;
  void done.then(() => (settled = true));
  for (let i = 0; i < maxTicks && !settled; i += 1) {
    received.push(p.readSome(1 << 20));
    await tick();
  }
  expect(settled).toBe(true);
  received.push(p.readSome(1 << 20));
}

describe('OutputQueue', () => {
  it('takes 8 MiB at once while nobody reads: 1 MiB waits in memory, the rest in the file, all of it in order once read', async () => {
    const p = pipe();
    const queue = new OutputQueue(p.writeFd, 1 << 20);
    const chunks = realisticOutput('logs', 8 << 20, 7);
    const started = performance.now();
    for (const chunk of chunks) queue.write(chunk);
    const took = performance.now() - started;
    expect(queue.spilledBytes).toBeGreaterThan((8 << 20) - (1 << 20) - (64 << 10) - 1);
    expect(took).toBeLessThan(1_000);
    const received: Buffer[] = [];
    await readUntil(p, queue.flushed(), received);
    expect(Buffer.concat(received).equals(Buffer.concat(chunks))).toBe(true);
    expect(queue.spilledBytes).toBe(0);
    expect(queue.failure).toBeUndefined();
  });

  it.each(OUTPUT_KINDS.map((kind, i) => [kind, i] as const))('keeps %s in order through memory → file → memory, with a reader that comes and goes', async (kind, seed) => {
    const p = pipe();
    const queue = new OutputQueue(p.writeFd, 128 << 10);
    const random = seededRandom(seed + 100);
    const chunks = realisticOutput(kind, 3 << 20, seed);
    const received: Buffer[] = [];
    let spills = 0;
    let wasSpilling = false;
    let next = 0;
    let round = 0;
    while (next < chunks.length) {
      const target = randomInt(random, 1, 512 << 10);
      for (let bytes = 0; bytes < target && next < chunks.length; next += 1) {
        const chunk = chunks[next] as Uint8Array;
        queue.write(chunk);
        bytes += chunk.length;
      }
      if (queue.spilledBytes > 0 && !wasSpilling) spills += 1;
      wasSpilling = queue.spilledBytes > 0;
      received.push(p.readSome(randomInt(random, 1, 64 << 10)));
      await tick();
      // Every third round the reader catches up, so the queue goes back to memory.
      round += 1;
      for (let i = 0; i < 10_000 && round % 3 === 0 && queue.spilledBytes > 0; i += 1) {
        received.push(p.readSome(1 << 20));
        await tick();
      }
      wasSpilling = queue.spilledBytes > 0;
    }
    await readUntil(p, queue.flushed(), received);
    expect(spills).toBeGreaterThan(1);
    expect(Buffer.concat(received).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('writes text as UTF-8, after the bytes queued before it', async () => {
    const p = pipe();
    const queue = new OutputQueue(p.writeFd, 1024);
    queue.write(new Uint8Array(3000).fill(0x61));
    queue.write('boxlite-rx: warning: é\n');
    const received: Buffer[] = [];
    await readUntil(p, queue.flushed(), received);
    expect(Buffer.concat(received).toString('utf8')).toBe(`${'a'.repeat(3000)}boxlite-rx: warning: é\n`);
  });

  it('fails with EPIPE once the reader is gone, says so once, and drops the rest', async () => {
    const p = pipe();
    const queue = new OutputQueue(p.writeFd, 1024);
    const failures: string[] = [];
    queue.failed.subscribe((error) => failures.push(error.code ?? ''));
    p.closeReader();
    queue.write(new Uint8Array(100_000));
    await queue.flushed();
    queue.write(new Uint8Array(10));
    expect(failures).toEqual(['EPIPE']);
    expect(queue.failure?.code).toBe('EPIPE');
    expect(queue.spilledBytes).toBe(0);
  });

  it('close() drops what waits, file included, and resolves the waiters', async () => {
    const p = pipe();
    const queue = new OutputQueue(p.writeFd, 1024);
    queue.write(new Uint8Array(1 << 20));
    queue.write(new Uint8Array(1 << 20));
    expect(queue.spilledBytes).toBe(1 << 20);
    const flushed = queue.flushed();
    queue.close();
    await flushed;
    expect(queue.spilledBytes).toBe(0);
    p.readSome(1 << 20);
  });

  it('what is written in one tick goes out in one writev, in order; what comes while it is under way, in the next', async () => {
    const calls: string[][] = [];
    let finish: (() => void) | undefined;
    const recording = ((_fd: number, buffers: readonly Uint8Array[], done: (error: NodeJS.ErrnoException | null, written: number) => void) => {
      calls.push(buffers.map((buffer) => Buffer.from(buffer).toString('utf8')));
      finish = () => done(null, buffers.reduce((sum, buffer) => sum + buffer.length, 0));
    }) as unknown as typeof writev;
    const queue = new OutputQueue(1, 1 << 20, recording);
    const frames = Array.from({ length: 100 }, (_, i) => `2026-12-06T23:10:${String(i % 60).padStart(2, '0')}Z INFO frame ${i} of a 1 KiB read\n`);
    for (const frame of frames) queue.write(frame);
    expect(calls).toEqual([]);
    await Promise.resolve();
    expect(calls).toEqual([frames]);
    queue.write('late 1\n');
    queue.write('late 2\n');
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    finish?.();
    expect(calls).toEqual([frames, ['late 1\n', 'late 2\n']]);
    finish?.();
    await queue.flushed();
  });
});
