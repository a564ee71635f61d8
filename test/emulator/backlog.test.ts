/**
 * The two output stores and their replays (docs/protocol.md §4): the Go runner's byte ring
 * (`server: 'runner'`, replay shape `ring`: one frame per stream) and the `boxlite serve` deque of
 * whole chunks (`server: 'serve'`, replay shape `chunks`: one frame per stored chunk). Frames are
 * compared byte for byte.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkBacklog } from '../../src/testing/emulator/chunkBacklog.js';
import type { EmulatedServer, RunnerEmulator, Script } from '../../src/testing/index.js';
import { emulator, startExecution } from '../support/emulator.js';
import { within } from '../support/within.js';
import { attach, slotFree, type Frame } from './attachClient.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const texts = (chunks: readonly Uint8Array[]): string[] => chunks.map((chunk) => new TextDecoder().decode(chunk));

/** A `yes`-like chunk: `"<letter>\n"` repeated up to `length` bytes. */
const yes = (letter: string, length: number): Uint8Array => new Uint8Array(Buffer.alloc(length, `${letter}\n`));

/** One output frame: its channel and exact payload. */
const frame = (channel: 1 | 2, payload: Uint8Array): Frame => ({ binary: true, data: Buffer.concat([Uint8Array.of(channel), payload]) });
const exitFrame = (code: number): Frame => ({ binary: false, text: `{"type":"exit","exit_code":${code}}` });

const CAP = 8192;
/** Five 3000-byte stdout chunks (15000 bytes) and one 10000-byte stderr chunk, all before any attach. */
const stdoutChunks = ['a', 'b', 'c', 'd', 'e'].map((letter) => yes(letter, 3000));
const bigStderr = yes('z', 10_000);
const live = yes('f', 3000);
const yesScript: Script = {
  steps: [...stdoutChunks.map((stdout) => ({ stdout })), { stderr: bigStderr }, { waitForAttach: true }, { stdout: live }, { exit: 0 }],
};

async function runYes(server: EmulatedServer): Promise<{ em: RunnerEmulator; id: string; frames: Frame[] }> {
  const em = await emulator({ server, ringBytes: CAP, scripts: { yes: yesScript } });
  const id = await startExecution(em, { command: 'yes' });
  const conn = await attach(em, id);
  expect(await within(conn.closed)).toBe(1000);
  return { em, id, frames: conn.frames };
}

describe('ChunkBacklog', () => {
  it('drops whole chunks from the front while over the cap, and keeps the newest even if larger', () => {
    const backlog = new ChunkBacklog(8);
    expect(backlog.push(bytes('abc'))).toBe(0);
    expect(backlog.push(bytes('defgh'))).toBe(0);
    expect(texts(backlog.replayFrames())).toEqual(['abc', 'defgh']);
    expect(backlog.push(bytes('ij'))).toBe(3);
    expect(texts(backlog.replayFrames())).toEqual(['defgh', 'ij']);
    expect(backlog.byteLength).toBe(7);
    expect(backlog.push(bytes('0123456789'))).toBe(7);
    expect(texts(backlog.replayFrames())).toEqual(['0123456789']);
    expect(backlog.byteLength).toBe(10);
    expect(backlog.push(bytes('k'))).toBe(10);
    expect(texts(backlog.replayFrames())).toEqual(['k']);
    expect(backlog.push(new Uint8Array(0))).toBe(0);
    expect(texts(backlog.replayFrames())).toEqual(['k']);
  });

  it('holds the longest suffix of the chunks within the cap (or the newest alone), the very chunks pushed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 60 }), (capacity, chunks) => {
        const backlog = new ChunkBacklog(capacity);
        let dropped = 0;
        for (const chunk of chunks) dropped += backlog.push(chunk);
        let start = chunks.length;
        let total = 0;
        while (start > 0 && total + (chunks[start - 1] as Uint8Array).length <= capacity) {
          start -= 1;
          total += (chunks[start] as Uint8Array).length;
        }
        if (start === chunks.length && chunks.length > 0) start -= 1;
        const expected = chunks.slice(start);
        const held = backlog.replayFrames();
        expect(held.length).toBe(expected.length);
        held.forEach((chunk, i) => expect(chunk).toBe(expected[i]));
        const heldBytes = expected.reduce((sum, chunk) => sum + chunk.length, 0);
        expect(backlog.byteLength).toBe(heldBytes);
        expect(dropped).toBe(chunks.reduce((sum, chunk) => sum + chunk.length, 0) - heldBytes);
      }),
    );
  });
});

describe("server: 'serve' (replay shape chunks)", () => {
  it('after whole-chunk eviction, replays the whole chunks kept (≤ cap), each frame exactly a written chunk, then live', async () => {
    const { em, id, frames } = await runYes('serve');
    // 3 × 3000 > 8192: only the last two stdout chunks fit. The 10000-byte stderr chunk is kept whole.
    expect(frames.map((f) => (f.binary ? f.data.length - 1 : -1))).toEqual([3000, 3000, 10_000, 3000, -1]);
    expect(frames).toEqual([frame(1, stdoutChunks[3] as Uint8Array), frame(1, stdoutChunks[4] as Uint8Array), frame(2, bigStderr), frame(1, live), exitFrame(0)]);
    expect(em.execution(id)).toMatchObject({ stdoutBytes: 18_000, stdoutRingBytes: 6000, stderrBytes: 10_000, stderrRingBytes: 10_000 });
  });

  it('every attach replays the same whole chunks: the live chunk is now stored, and the oldest kept one dropped', async () => {
    const { em, id } = await runYes('serve');
    await slotFree(em, id);
    const again = await attach(em, id);
    expect(await within(again.closed)).toBe(1000);
    expect(again.frames).toEqual([frame(1, stdoutChunks[4] as Uint8Array), frame(1, live), frame(2, bigStderr), exitFrame(0)]);
  });
});

describe("server: 'runner' (replay shape ring)", () => {
  it('replays one frame per stream holding exactly the last ringBytes bytes, then live', async () => {
    const { em, id, frames } = await runYes('runner');
    const lastStdout = Buffer.concat(stdoutChunks).subarray(15_000 - CAP);
    expect(frames.map((f) => (f.binary ? f.data.length - 1 : -1))).toEqual([CAP, CAP, 3000, -1]);
    expect(frames).toEqual([frame(1, lastStdout), frame(2, bigStderr.subarray(10_000 - CAP)), frame(1, live), exitFrame(0)]);
    expect(em.execution(id)).toMatchObject({ stdoutBytes: 18_000, stdoutRingBytes: CAP, stderrBytes: 10_000, stderrRingBytes: CAP });
  });
});
