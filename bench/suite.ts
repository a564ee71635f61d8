/**
 * The whole suite in order, on one emulator process: figures 1 to 9 (6 is computed from 1, 2 and 5; 6b runs with 6),
 * or only some of them.
 */

import { concurrency } from './concurrency.js';
import type { BenchConfig } from './config.js';
import { drainLatency } from './drainLatency.js';
import { startEmulatorHost } from './emulatorHost.js';
import { fastProducer } from './fastProducer.js';
import { frames1k } from './frames1k.js';
import { keepingUp } from './keepingUp.js';
import { liveLatency } from './liveLatency.js';
import { memory } from './memory.js';
import type { Figure, Log } from './report.js';
import { resumeTime } from './resumeTime.js';
import { throughputLarge } from './throughputLarge.js';
import { throughputSmall } from './throughputSmall.js';

/**
 * Runs the benchmarks with `config`; resolves to the figures, in order. `only` (figure numbers,
 * `1` for 1a and 1b) limits the run to those; figure 6 is produced when 1, 2 and 5 all ran, 6b when `6` is asked for.
 */
export async function runBenchmarks(config: BenchConfig, log: Log, only?: ReadonlySet<string>): Promise<Figure[]> {
  const runs = (id: string): boolean => only === undefined || only.has(id);
  const host = await startEmulatorHost();
  try {
    const ctx = { config, host, log };
    const large = runs('1') ? await throughputLarge(ctx) : undefined;
    const small = runs('2') ? await throughputSmall(ctx) : undefined;
    const drain = runs('3') ? await drainLatency(ctx) : undefined;
    const mem = runs('4') ? await memory(ctx) : undefined;
    const many = runs('5') ? await concurrency(ctx) : undefined;
    const kept =
      large && small && many
        ? keepingUp({ large: large.throughput.droppedChunks, small: small.throughput.droppedChunks, concurrency: many.droppedChunks })
        : undefined;
    const fast = runs('6') ? await fastProducer(ctx) : undefined;
    const live = runs('7') ? await liveLatency(ctx) : undefined;
    const resume = runs('8') ? await resumeTime(ctx) : undefined;
    const oneKiB = runs('9') ? await frames1k(ctx) : undefined;
    return [
      ...(large?.figures ?? []),
      ...(small?.figures ?? []),
      ...(drain?.figures ?? []),
      ...(mem?.figures ?? []),
      ...(many?.figures ?? []),
      ...(kept ? [kept] : []),
      ...(fast?.figures ?? []),
      ...(live?.figures ?? []),
      ...(resume?.figures ?? []),
      ...(oneKiB?.figures ?? []),
    ];
  } finally {
    await host.close();
  }
}
