/**
 * Figure 1: throughput with large frames (256 MiB of stdout in 64 KiB frames): boxlite-rx `exec`
 * against a raw `ws` client that only counts bytes (1a: CPU ratio, ours ÷ ws's, ≤ 1.1×, target
 * ≤ 1.05×) and against RxJS `webSocket()` (1b: rate ≥ 1.0×). The CPU ratio is per-run client CPU,
 * boxlite-rx's ÷ the baseline's (lower is better); beside it the rate ratio, the median of
 * run-by-run ratios (boxlite-rx's ÷ the baseline's, higher is better).
 */

import type { BenchContext } from './config.js';
import { bounded, fixed, times, type Figure } from './report.js';
import { measureThroughput, type Throughput } from './throughput.js';

/** Runs figure 1; the throughput is returned too, for figure 6. */
export async function throughputLarge(ctx: BenchContext): Promise<{ figures: Figure[]; throughput: Throughput }> {
  const { chunkBytes, count } = ctx.config.large;
  ctx.log(`1. throughput, ${fixed((chunkBytes * count) / 2 ** 20, 0)} MiB in ${chunkBytes}-byte frames (first byte to exit, median of ${ctx.config.runs})`);
  const throughput = await measureThroughput(ctx, 'large', chunkBytes, count);
  const ours = throughput.mibPerSecond['boxlite-rx'];
  const line = (id: string, baseline: 'ws' | 'rxjs webSocket()', bounds: Pick<Figure, 'target' | 'met' | 'targetMet'>): Figure => {
    const theirs = throughput.mibPerSecond[baseline];
    return {
      id,
      name: `Throughput, 64 KiB frames, vs ${baseline}`,
      ours: `${fixed(ours, 0)} MiB/s (CPU ${fixed(throughput.cpuMs['boxlite-rx'], 0)} ms)`,
      baseline: `${fixed(theirs, 0)} MiB/s (CPU ${fixed(throughput.cpuMs[baseline], 0)} ms) ${baseline}`,
      ratio: `CPU ${times(cpuRatio(baseline))} (rate ${times(throughput.ratio[baseline])})`,
      ...bounds,
      values: {
        ours,
        baseline: theirs,
        ratio: throughput.ratio[baseline],
        cpuRatio: cpuRatio(baseline),
        cpuMs: throughput.cpuMs['boxlite-rx'],
        baselineCpuMs: throughput.cpuMs[baseline],
      },
    };
  };
  const cpuRatio = (baseline: 'ws' | 'rxjs webSocket()'): number => throughput.cpuMs['boxlite-rx'] / throughput.cpuMs[baseline];
  const rxjs = throughput.ratio['rxjs webSocket()'];
  return {
    figures: [
      line('1a', 'ws', bounded(cpuRatio('ws'), 1.1, 1.05)),
      line('1b', 'rxjs webSocket()', { target: 'rate ≥ 1.0×', met: rxjs >= 1 }),
    ],
    throughput,
  };
}
