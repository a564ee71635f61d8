// @module-tag slow/process
/**
 * The process path's options for a producer faster than any client: `processQueueFull: 'drop'`
 * (a full queue drops the chunk, counted, as the runner does; `'wait'`, the default, holds the
 * process back) and `processReadsPerMs` (the pump's pace, or `'unpaced'`).
 */
import { filter, firstValueFrom, toArray, takeUntil } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { inOrder } from '../../bench/inOrder.js';
import { startRunnerEmulator, type EmulatorOptions } from '../../src/testing/index.js';
import { READ_BYTES } from '../../src/testing/emulator/pacedReads.js';
import { emulator, nextEvent, nextEventAt, startExecution } from '../support/emulator.js';
import { attach, stdoutOf } from './attachClient.js';

const MIB = 1024 * 1024;
const ENDING = ' 2026-12-07T01:00:00.000Z INFO worker-3 request handled path=/v1/boxes/box/exec status=200 duration_ms=12';
/** Lines of about 120 bytes: 12 MiB, more than loopback's socket buffers and the 256-chunk queue hold. */
const LINES = 100_000;

/** What `seq -f '%.0f<ENDING>' 1 LINES` writes. */
function logLines(lines: number): Buffer {
  const parts: string[] = [];
  for (let i = 1; i <= lines; i += 1) parts.push(`${i}${ENDING}\n`);
  return Buffer.from(parts.join(''));
}

/** A producer that waits for one stdin line, then writes `LINES` numbered log lines as fast as `seq` can. */
const PRODUCER = { command: 'sh', args: ['-c', `head -n 1 >/dev/null; exec seq -f '%.0f${ENDING}' 1 ${LINES}`] };

/**
 * Attaches a client that stops reading its socket, starts the producer, and resumes reading once
 * `paused` resolves; returns what it received and the emulator's counts.
 */
async function stalledClient(options: EmulatorOptions, paused: (exited: Promise<unknown>) => Promise<void>) {
  const em = await emulator({ allowProcesses: true, ...options });
  const id = await startExecution(em, PRODUCER);
  const conn = await attach(em, id);
  const dropped = firstValueFrom(em.events.pipe(filter((e) => e.type === 'dropped' && e.executionId === id), takeUntil(nextEvent(em, 'exit', id, 20_000)), toArray()));
  const exited = nextEvent(em, 'exit', id, 20_000);
  conn.ws.pause();
  conn.ws.send(Buffer.from('go\n'));
  await paused(exited);
  conn.ws.resume();
  const code = await conn.closed;
  return { code, stdout: stdoutOf(conn.frames), exitFrames: conn.frames.filter((f) => !f.binary).map((f) => (f.binary ? '' : f.text)), stats: em.stats, dropped: await dropped };
}

describe.each(['runner', 'serve'] as const)('a client that stops reading, on the %s preset', (server) => {
  const written = logLines(LINES);

  it("processQueueFull: 'drop': the process runs on, full queues drop chunks (counted), and what arrives is the rest, in order", async () => {
    // Paused until the process exited: it never waited for the client.
    const run = await stalledClient({ server, processQueueFull: 'drop', processReadsPerMs: 'unpaced' }, (exited) => exited.then(() => undefined));
    expect(run.code).toBe(1000);
    expect(run.exitFrames).toEqual(['{"type":"exit","exit_code":0}']);
    expect(run.stats.droppedChunks).toBeGreaterThan(0);
    expect(run.dropped).toHaveLength(run.stats.droppedChunks);
    expect(run.dropped.reduce((sum, e) => sum + (e.type === 'dropped' ? e.bytes : 0), 0)).toBe(run.stats.droppedBytes);
    // Every byte written either arrived, in order, or was counted as dropped: none twice, none reordered.
    const check = inOrder(written);
    check.data(run.stdout);
    expect(check.ok).toBe(true);
    expect(check.missing).toBe(run.stats.droppedBytes);
    expect(run.stdout.length).toBeLessThan(written.length);
  });

  it("processQueueFull: 'wait' (the default): the same stall holds the process back and loses nothing", async () => {
    const run = await stalledClient({ server, processReadsPerMs: 'unpaced' }, async (exited) => {
      // The client stops reading for 500 ms: long enough for the unpaced producer to fill every buffer.
      const held = await Promise.race([exited.then(() => 'exited'), new Promise((resolve) => setTimeout(resolve, 500, 'held'))]);
      expect(held).toBe('held');
    });
    expect(run.code).toBe(1000);
    expect(run.exitFrames).toEqual(['{"type":"exit","exit_code":0}']);
    expect(run.stats.droppedChunks).toBe(0);
    expect(run.dropped).toEqual([]);
    expect(run.stdout.equals(written)).toBe(true);
  });
});

describe('processReadsPerMs', () => {
  /** Milliseconds from the exec to the exit of `head -c <bytes>` with nobody attached. */
  async function readTime(bytes: number, processReadsPerMs: number | 'unpaced'): Promise<number> {
    const em = await emulator({ allowProcesses: true, processReadsPerMs });
    const started = performance.now();
    const id = await startExecution(em, { command: 'head', args: ['-c', String(bytes), '/dev/zero'] });
    const { at } = await nextEventAt(em, 'exit', id, 20_000);
    expect(em.execution(id)?.stdoutBytes).toBe(bytes);
    return at - started;
  }

  it('1 read a millisecond: 1 MiB in 1 KiB reads takes at least 1024 ms', async () => {
    expect(await readTime(MIB, 1)).toBeGreaterThanOrEqual(1024 - 1);
  });

  it("'unpaced': 16 MiB in well under the 3.3 s the default pace (5 reads a millisecond) needs", async () => {
    expect(16 * MIB / READ_BYTES / 5).toBeGreaterThan(3_200);
    expect(await readTime(16 * MIB, 'unpaced')).toBeLessThan(3_000);
  });

  it.each<[unknown, string, string]>([
    [0, 'RangeError', "startRunnerEmulator: processReadsPerMs must be an integer >= 1 or 'unpaced', got 0"],
    ['fast', 'TypeError', "startRunnerEmulator: processReadsPerMs must be an integer >= 1 or 'unpaced', got fast"],
    [2.5, 'RangeError', "startRunnerEmulator: processReadsPerMs must be an integer >= 1 or 'unpaced', got 2.5"],
  ])('%s is refused', async (value, type, message) => {
    const error = (await startRunnerEmulator({ processReadsPerMs: value as number }).catch((e: unknown) => e)) as Error;
    expect({ type: error.constructor.name, message: error.message }).toEqual({ type, message });
  });

  it("processQueueFull must be 'wait' or 'drop'", async () => {
    const error = (await startRunnerEmulator({ processQueueFull: 'block' as 'wait' }).catch((e: unknown) => e)) as Error;
    expect({ type: error.constructor.name, message: error.message }).toEqual({ type: 'TypeError', message: "startRunnerEmulator: processQueueFull must be 'wait' or 'drop', got block" });
  });
});
