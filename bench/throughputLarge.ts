/**
 * Figure 1: throughput with large frames (256 MiB of stdout in 64 KiB frames): boxlite-rx `exec`
 * against a raw `ws` client that only counts bytes (target ≥ 0.9×) and against RxJS
 * `webSocket()` (target ≥ 1.0×). The ratio is the median of run-by-run ratios; the CPU ratio
 * (baseline's client CPU over ours) is what the rate ratio would be were both clients CPU-bound.
 */

import type { BenchContext } from './config.js';
import { fixed, times, type Figure } from './report.js';
import { measureThroughput, type Throughput } from './throughput.js';

/** Runs figure 1; the throughput is returned too, for figure 6. */
export async function throughputLarge(ctx: BenchContext): Promise<{ figures: Figure[]; throughput: Throughput }> {
  const { chunkBytes, count } = ctx.config.large;
  ctx.log(`1. throughput, ${fixed((chunkBytes * count) / 2 ** 20, 0)} MiB in ${chunkBytes}-byte frames (first byte to exit, median of ${ctx.config.runs})`);
  const throughput = await measureThroughput(ctx, 'large', chunkBytes, count);
  const ours = throughput.mibPerSecond['boxlite-rx'];
  const line = (id: string, baseline: 'ws' | 'rxjs webSocket()', target: number): Figure => {
    const theirs = throughput.mibPerSecond[baseline];
    const ratio = throughput.ratio[baseline];
    const cpuRatio = throughput.cpuMs[baseline] / throughput.cpuMs['boxlite-rx'];
    return {
      id,
      name: `Throughput, 64 KiB frames, vs ${baseline}`,
      ours: `${fixed(ours, 0)} MiB/s (CPU ${fixed(throughput.cpuMs['boxlite-rx'], 0)} ms)`,
      baseline: `${fixed(theirs, 0)} MiB/s (CPU ${fixed(throughput.cpuMs[baseline], 0)} ms) ${baseline}`,
      ratio: `${times(ratio)} (CPU ${times(cpuRatio)})`,
      target: `≥ ${fixed(target, 1)}×`,
      met: ratio >= target,
      values: { ours, baseline: theirs, ratio, cpuRatio, cpuMs: throughput.cpuMs['boxlite-rx'], baselineCpuMs: throughput.cpuMs[baseline] },
    };
  };
  return { figures: [line('1a', 'ws', 0.9), line('1b', 'rxjs webSocket()', 1.0)], throughput };
}
