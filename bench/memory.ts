/**
 * Figure 4: memory. 1 GiB of stdout (64 KiB frames) streamed to a subscriber that keeps none of
 * it, each client in a fresh process: peak RSS growth over the RSS before the stream (target
 * ≤ 64 MiB), and flat: the peak of the last stretch (512 MiB to 1 GiB) at most 16 MiB above the
 * peak of the first (0 to 256 MiB). RSS at 256 MiB, 512 MiB and 1 GiB is printed. The baseline is a
 * raw `ws` client on the same stream: garbage collection alone makes RSS saw-tooth by tens of MiB.
 */

import type { ClientName } from './clients.js';
import type { BenchContext } from './config.js';
import { exited, forkBench, nextMessage } from './fork.js';
import type { Stretch } from './memoryClient.js';
import { fixed, median, mib, times, type Figure } from './report.js';

/** What one memory run reported. */
interface MemoryRun {
  readonly type: 'result';
  readonly baseline: number;
  readonly stretches: readonly Stretch[];
  readonly bytes: number;
}

const MAX_GROWTH_MIB = 64;
const MAX_DRIFT_MIB = 16;

async function runClient(ctx: BenchContext, name: ClientName): Promise<MemoryRun> {
  const { chunkBytes, count, marks } = ctx.config.memory;
  const child = forkBench('./memoryClient.ts', [ctx.host.url, ctx.host.token, name, String(chunkBytes), String(count), marks.join(',')]);
  const run = await nextMessage<MemoryRun>(child, 'result');
  await exited(child);
  if (run.bytes !== chunkBytes * count) throw new Error(`memory: ${name} received ${run.bytes} of ${chunkBytes * count} bytes`);
  return run;
}

/** Peak growth over the baseline, and the last stretch's peak minus the first's, in MiB. */
function summarise(run: MemoryRun): { growth: number; drift: number } {
  const peaks = run.stretches.map((stretch) => stretch.peak);
  const first = peaks[0] ?? run.baseline;
  const last = peaks.at(-1) ?? run.baseline;
  return { growth: mib(Math.max(run.baseline, ...peaks) - run.baseline), drift: mib(last - first) };
}

/** Runs figure 4. */
export async function memory(ctx: BenchContext): Promise<{ figures: Figure[] }> {
  const { chunkBytes, count, runs } = ctx.config.memory;
  ctx.log(`4. memory, ${fixed(mib(chunkBytes * count), 0)} MiB streamed and discarded, each run in a fresh process (median of ${runs})`);
  const growth: Record<'boxlite-rx' | 'ws', number[]> = { 'boxlite-rx': [], ws: [] };
  const drift: Record<'boxlite-rx' | 'ws', number[]> = { 'boxlite-rx': [], ws: [] };
  for (let i = 0; i < runs; i += 1) {
    for (const name of ['ws', 'boxlite-rx'] as const) {
      const run = await runClient(ctx, name);
      const summary = summarise(run);
      growth[name].push(summary.growth);
      drift[name].push(summary.drift);
      const at = run.stretches.map((s) => `${fixed(mib(s.until * chunkBytes), 0)} MiB: ${fixed(mib(s.rss), 0)} (peak ${fixed(mib(s.peak), 0)})`);
      ctx.log(`  ${name.padEnd(10)} RSS before ${fixed(mib(run.baseline), 0)} MiB, peak growth +${fixed(summary.growth, 1)} MiB; RSS at ${at.join(', ')} MiB`);
    }
  }
  const ours = median(growth['boxlite-rx']);
  const baseline = median(growth.ws);
  const oursDrift = median(drift['boxlite-rx']);
  return {
    figures: [
      {
        id: '4',
        name: `Memory: peak RSS growth streaming ${fixed(mib(chunkBytes * count), 0)} MiB; last − first stretch peak`,
        ours: `+${fixed(ours, 1)} MiB; ${fixed(oursDrift, 1)} MiB`,
        baseline: `+${fixed(baseline, 1)} MiB; ${fixed(median(drift.ws), 1)} MiB (ws)`,
        ratio: times(ours / baseline),
        target: `≤ ${MAX_GROWTH_MIB} MiB; flat (≤ ${MAX_DRIFT_MIB} MiB)`,
        met: ours <= MAX_GROWTH_MIB && oursDrift <= MAX_DRIFT_MIB,
        values: { ours, baseline, ratio: ours / baseline, drift: oursDrift, baselineDrift: median(drift.ws) },
      },
    ],
  };
}
