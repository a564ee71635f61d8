/**
 * The whole suite in order, on one emulator process: figures 1 to 8 (6 is computed from 1, 2 and 5).
 */

import { concurrency } from './concurrency.js';
import type { BenchConfig } from './config.js';
import { drainLatency } from './drainLatency.js';
import { startEmulatorHost } from './emulatorHost.js';
import { keepingUp } from './keepingUp.js';
import { liveLatency } from './liveLatency.js';
import { memory } from './memory.js';
import type { Figure, Log } from './report.js';
import { resumeTime } from './resumeTime.js';
import { throughputLarge } from './throughputLarge.js';
import { throughputSmall } from './throughputSmall.js';

/** Runs every benchmark with `config`; resolves to the figures, in order. */
export async function runBenchmarks(config: BenchConfig, log: Log): Promise<Figure[]> {
  const host = await startEmulatorHost();
  try {
    const ctx = { config, host, log };
    const large = await throughputLarge(ctx);
    const small = await throughputSmall(ctx);
    const drain = await drainLatency(ctx);
    const mem = await memory(ctx);
    const many = await concurrency(ctx);
    const kept = keepingUp({ large: large.throughput.droppedChunks, small: small.throughput.droppedChunks, concurrency: many.droppedChunks });
    const live = await liveLatency(ctx);
    const resume = await resumeTime(ctx);
    return [...large.figures, ...small.figures, ...drain.figures, ...mem.figures, ...many.figures, kept, ...live.figures, ...resume.figures];
  } finally {
    await host.close();
  }
}
