/**
 * Figure 7: live latency across a reconnect. A running command prints a 100-byte line every 50 ms,
 * each line carrying the time the emulator wrote it; its first attach is cut in the middle of line
 * `linesBefore`. In one run, through boxlite-rx `exec()`: the latency (arrival at the subscriber
 * minus write time, on one clock: the offset between the two processes is measured and taken out)
 * of the lines written before the cut, of the lines written while the client was away (replayed on
 * the re-attach), and of the lines written after the re-attach was accepted. Target: p99 after ≤ p99 before + 20 ms, and no line lost or repeated.
 */

import { createRunnerClient } from '../dist/index.js';
import type { BenchContext } from './config.js';
import { fixed, median, percentile, times, type Figure } from './report.js';
import { attachCycles, describeEnd, runTicker, stopAfterLastCut, type Arrival } from './tickerRun.js';

/** Figure 7's latency bound: p99 after the re-attach at most this much above p99 before the cut. */
const SLACK_MS = 20;

/** p50 / p99 / max / count of a group of lines, for the log. */
function summary(lines: readonly Arrival[]): string {
  const ms = lines.map((line) => line.latencyMs);
  if (ms.length === 0) return 'no lines';
  const slowest = [...lines].sort((a, b) => b.latencyMs - a.latencyMs).slice(0, 3);
  return (
    `${ms.length} lines, p50 ${fixed(median(ms), 2)} ms, p99 ${fixed(percentile(ms, 99), 2)} ms, max ${fixed(Math.max(...ms), 2)} ms ` +
    `(slowest: ${slowest.map((line) => `line ${line.seq} ${fixed(line.latencyMs, 1)} ms`).join(', ')})`
  );
}

/** Runs figure 7. */
export async function liveLatency(ctx: BenchContext): Promise<{ figures: Figure[] }> {
  const { linesBefore, linesAfter, intervalMs, capMs, exitWaitMs } = ctx.config.liveLatency;
  const reconnect = ctx.config.reconnect;
  ctx.log(
    `7. live latency across a reconnect: a 100-byte line every ${intervalMs} ms, first attach cut in line ${linesBefore}, ` +
      `${linesAfter} lines after the re-attach (cap ${fixed(capMs / 1000, 0)} s); client: library defaults` +
      (reconnect === undefined ? '' : ` except reconnect ${JSON.stringify(reconnect)}`),
  );
  const clock = await ctx.host.clockOffset(20);
  const client = createRunnerClient({ baseUrl: ctx.host.url, token: ctx.host.token, ...(reconnect === undefined ? {} : { reconnect }) });
  const count = linesBefore + linesAfter + Math.ceil((capMs + exitWaitMs) / intervalMs);
  const run = await runTicker({
    host: ctx.host,
    client,
    plan: { count, intervalMs, cuts: 1, linesPerAttach: linesBefore },
    shouldStop: stopAfterLastCut(1, linesAfter),
    capMs,
    exitWaitMs,
    clockOffsetMs: clock.offsetMs,
  });

  const cut = run.state?.cuts[0];
  const cycles = run.state === undefined ? [] : attachCycles(run.state);
  const reattach = cycles.find((cycle) => cut !== undefined && cycle.attempt > cut.attempt);
  const cutAt = cycles[0]?.detachedAt ?? Number.NaN;
  const reattachAt = reattach?.attachedAt ?? Number.NaN;
  const splitLine = cut?.splitLine ?? Number.NaN;
  const before = run.arrivals.filter((line) => line.seq < splitLine);
  const away = run.arrivals.filter((line) => line.seq >= splitLine && !(line.writtenAt >= reattachAt));
  const after = run.arrivals.filter((line) => line.writtenAt >= reattachAt);
  const p99Before = percentile(before.map((line) => line.latencyMs), 99);
  const p99After = percentile(after.map((line) => line.latencyMs), 99);
  const p50Before = median(before.map((line) => line.latencyMs));
  const p50After = median(after.map((line) => line.latencyMs));
  const conflicts = run.state?.attaches.filter((attach) => attach.status === 409).length ?? Number.NaN;
  const latencyMet = p99After <= p99Before + SLACK_MS;
  const exact = run.lost === 0 && run.repeated === 0 && run.malformed === 0 && run.undelivered === 0;

  ctx.log(`  clock: clockNow() = performance.timeOrigin + performance.now() in both processes; emulator − client offset ${fixed(clock.offsetMs, 3)} ms ± ${fixed(clock.uncertaintyMs, 3)} ms, taken out of every latency`);
  ctx.log(`  ${describeEnd(run)}; ${run.state?.linesWritten ?? '?'} lines written, ${run.arrivals.length} delivered`);
  ctx.log(`  cut (emulator saw the socket go) → re-attach accepted: ${fixed(reattachAt - cutAt, 1)} ms; 409 answers ${conflicts}`);
  ctx.log(`  before the cut (lines 0-${splitLine - 1}):     ${summary(before)}`);
  ctx.log(`  while away (from line ${splitLine}, replayed):  ${summary(away)}`);
  ctx.log(`  after the re-attach:              ${summary(after)}`);
  ctx.log(`  lines lost ${run.lost}, repeated ${run.repeated}, malformed ${run.malformed}, undelivered at the end ${run.undelivered}; notices: ${run.notices.length === 0 ? 'none' : run.notices.join(' | ')}`);
  ctx.log(`  target p99 after ≤ p99 before + ${SLACK_MS} ms (${fixed(p99Before + SLACK_MS, 2)} ms): ${latencyMet ? 'met' : 'NOT met'}; 0 lost / repeated: ${exact ? 'met' : 'NOT met'}${run.capped ? '; CAPPED: the run hit its wall-time cap' : ''}`);
  return {
    figures: [
      {
        id: '7',
        name: 'Live latency across a reconnect: p50 / p99 after the re-attach vs before the cut',
        ours: `${fixed(p50After, 2)} / ${fixed(p99After, 2)} ms after; lost ${run.lost}, repeated ${run.repeated}${run.capped ? '; CAPPED' : ''}`,
        baseline: `${fixed(p50Before, 2)} / ${fixed(p99Before, 2)} ms before (same run)`,
        ratio: times(p99After / p99Before),
        target: `p99 after ≤ p99 before + ${SLACK_MS} ms; 0 lost / repeated`,
        met: latencyMet && exact && !run.capped && run.exit !== undefined,
        values: {
          p50Before,
          p99Before,
          p50After,
          p99After,
          linesBefore: before.length,
          linesAway: away.length,
          linesAfter: after.length,
          maxAwayMs: away.length === 0 ? 0 : Math.max(...away.map((line) => line.latencyMs)),
          reconnectMs: reattachAt - cutAt,
          lost: run.lost,
          repeated: run.repeated,
          malformed: run.malformed,
          undelivered: run.undelivered,
          capped: run.capped ? 1 : 0,
          conflicts,
          clockOffsetMs: clock.offsetMs,
        },
      },
    ],
  };
}
