/**
 * Figure 2: throughput with small frames (1,000,000 frames of 16 bytes): boxlite-rx `exec` against
 * a raw `ws` client that only counts bytes: CPU ratio, ours ÷ ws's, ≤ 1.5× (target ≤ 1.33×).
 * Per-frame cost dominates here. Ratios as in figure 1: CPU per run, the rate ratio beside it.
 */

import type { BenchContext } from './config.js';
import { bounded, fixed, times, type Figure } from './report.js';
import { measureThroughput, type Throughput } from './throughput.js';

/** Runs figure 2; the throughput is returned too, for figure 6. */
export async function throughputSmall(ctx: BenchContext): Promise<{ figures: Figure[]; throughput: Throughput }> {
  const { chunkBytes, count } = ctx.config.small;
  ctx.log(`2. throughput, ${count} frames of ${chunkBytes} bytes (first byte to exit, median of ${ctx.config.runs})`);
  const throughput = await measureThroughput(ctx, 'small', chunkBytes, count);
  const ours = throughput.framesPerSecond['boxlite-rx'];
  const theirs = throughput.framesPerSecond.ws;
  const ratio = throughput.ratio.ws;
  const cpuRatio = throughput.cpuMs['boxlite-rx'] / throughput.cpuMs.ws;
  const figure: Figure = {
    id: '2',
    name: `Throughput, ${chunkBytes}-byte frames, vs ws`,
    ours: `${fixed(ours / 1000, 0)} k frames/s (CPU ${fixed(throughput.cpuMs['boxlite-rx'], 0)} ms)`,
    baseline: `${fixed(theirs / 1000, 0)} k frames/s (CPU ${fixed(throughput.cpuMs.ws, 0)} ms) ws`,
    ratio: `CPU ${times(cpuRatio)} (rate ${times(ratio)})`,
    ...bounded(cpuRatio, 1.5, 1.33),
    values: { ours, baseline: theirs, ratio, cpuRatio, cpuMs: throughput.cpuMs['boxlite-rx'], baselineCpuMs: throughput.cpuMs.ws },
  };
  return { figures: [figure], throughput };
}
