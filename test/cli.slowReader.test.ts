// @module-tag slow/process
/**
 * A slow reader never stops the client reading its socket: a real process writes 24 MiB at about
 * 50 MB/s while nothing reads the CLI's stdout; the runner's 256-chunk queue drops nothing, the
 * bytes arrive exact once the reader wakes, and the CLI's peak RSS stays within `--output-memory`
 * of a run whose reader keeps up. 24 MiB, three times `--output-memory`, so most of it goes through
 * the spill file: the emulator reads a process as the runner's pump does, 1 KiB at a time at about
 * 5 MB/s at most (src/testing/emulator/pacedReads.ts), so the 64 MiB this test wrote when the
 * emulator read 64 KiB at a time took 13 s at best per run.
 */
import { readFileSync } from 'node:fs';
import { filter, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { RunnerEmulator } from '../src/testing/index.js';
import { connect, emulatorPerTest, spawnCli, type CliChild } from './support/cli.js';
import { failAfter } from './support/within.js';

const start = emulatorPerTest();

const MIB = 1024 * 1024;
const TOTAL_MIB = 24;
const MEMORY_MIB = 8;

/**
 * Writes MiB number i filled with byte i % 251, so every byte's place can be checked; one MiB
 * every 20 ms, a pace this machine's chain (process → emulator → socket → client) sustains: a
 * faster producer overruns the runner's queue whatever the client does.
 */
const PRODUCER = `let i = 0;
const t = setInterval(() => {
  process.stdout.write(Buffer.alloc(${MIB}, i % 251));
  if (++i === ${TOTAL_MIB}) clearInterval(t);
}, 20);`;

/** Polls the child's peak RSS (VmHWM, KiB) until it exits: the last reading covers the run. */
function peakRssKib(cli: CliChild): Promise<number> {
  let peak = 0;
  const read = (): void => {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${cli.child.pid}/status`, 'utf8'));
    peak = Math.max(peak, Number(match?.[1] ?? 0));
  };
  const poll = setInterval(() => {
    try {
      read();
    } catch {
      clearInterval(poll);
    }
  }, 20);
  return cli.exited.then(() => {
    clearInterval(poll);
    return peak;
  });
}

/** True when `bytes` is exactly the producer's output. */
function isProducerOutput(bytes: Buffer): boolean {
  if (bytes.length !== TOTAL_MIB * MIB) return false;
  for (let i = 0; i < TOTAL_MIB; i += 1) {
    const block = bytes.subarray(i * MIB, (i + 1) * MIB);
    if (block[0] !== i % 251 || !block.equals(Buffer.alloc(MIB, i % 251))) return false;
  }
  return true;
}

function run(em: RunnerEmulator): CliChild {
  return spawnCli(['exec', ...connect(em), '--output-memory', `${MEMORY_MIB}M`, 'box-1', '--', process.execPath, '-e', PRODUCER], 60_000);
}

describe('boxlite-rx exec: a slow reader', () => {
  it(`gets all ${TOTAL_MIB} MiB exact after sleeping through the run; nothing dropped; RSS within --output-memory of a fast reader's`, async () => {
    const em = await start({ allowProcesses: true });

    const fast = run(em);
    const fastPeak = peakRssKib(fast);
    expect(await fast.exited).toBe(0);
    expect(isProducerOutput(fast.stdout())).toBe(true);

    // The slow reader: spawnCli collects stdout, so stop its stream until the client has left the socket.
    const detached = firstValueFrom(em.events.pipe(filter((event) => event.type === 'detach'), failAfter(50_000, "the slow run's detach")));
    const slow = run(em);
    slow.child.stdout.pause();
    const slowPeak = peakRssKib(slow);
    await detached;
    expect(slow.stdout().length).toBeLessThan(MIB);
    slow.child.stdout.resume();
    expect(await slow.exited).toBe(0);

    expect(slow.stderr().toString()).toBe('');
    expect(isProducerOutput(slow.stdout())).toBe(true);
    expect(em.stats.droppedChunks).toBe(0);
    expect(await slowPeak).toBeLessThan((await fastPeak) + (MEMORY_MIB + 32) * 1024);
  });
});
