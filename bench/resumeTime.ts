/**
 * Figure 8: resume time. A running command prints a 100-byte line every 50 ms, each line carrying
 * the time the emulator wrote it; each of its first `cuts` accepted attaches is cut (TCP close, no
 * Close frame) in the middle of a line, `linesPerAttach` live lines after the attach's replay, so
 * every re-attach has resumed the stream before the next cut. Per cut, the resume time is the worst
 * latency (arrival at the subscriber minus write time, on one clock: the offset between the two
 * processes is measured and taken out) of the lines from the one the cut split up to the one the
 * next cut splits (exclusive; up to the end for the last cut): the split
 * line, written just before the cut, can only arrive through the re-attach. Reported: median and
 * p99 over the cuts, the loopback RTT of the same run, and lines lost or repeated.
 * Target (issue 25): median ≤ 1.15× the floor's (a bare `ws` client that re-attaches at once,
 * measured in the same run), p99 ≤ 50 ms, every cut resumed, nothing lost or repeated.
 *
 * The client runs with the library's defaults (the bench config may set `reconnect` for the smoke
 * run only). With a slow reconnect policy the run would take minutes: it is capped at `capMs`, and
 * the figure then says how many cuts completed.
 */

import { createRunnerClient, type RunnerClient } from '../dist/index.js';
import type { BenchContext } from './config.js';
import { fixed, median, percentile, times, type Figure } from './report.js';
import { loopbackRtt } from './rtt.js';
import { startDelayingProxy } from './delayingProxy.js';
import { rawReconnectClient } from './reconnectFloor.js';
import type { TickerCut } from './ticker.js';
import { attachCycles, describeEnd, runTicker, stopAfterLastCut, type TickerRun } from './tickerRun.js';

/** One cut, as measured. */
interface CutResult {
  readonly splitLine: number;
  /** Whether the split line reached the subscriber. */
  readonly resumed: boolean;
  /** Worst latency of the cut's lines that arrived (ms); counted only for a resumed cut. */
  readonly resumeMs: number;
  /** Emulator clock: the cut socket gone → the next attach accepted. */
  readonly reconnectMs: number;
}

/** Runs figure 8. */
export async function resumeTime(ctx: BenchContext): Promise<{ figures: Figure[] }> {
  const { cuts, linesPerAttach, intervalMs, capMs, exitWaitMs, rttSamples, linkOneWayMs } = ctx.config.resume;
  const reconnect = ctx.config.reconnect;
  ctx.log(
    `8. resume time: a 100-byte line every ${intervalMs} ms, ${cuts} cuts (each attach cut in a line ${linesPerAttach} live lines after its replay), ` +
      `cap ${fixed(capMs / 1000, 0)} s; client: library defaults` +
      (reconnect === undefined ? '' : ` except reconnect ${JSON.stringify(reconnect)}`),
  );
  const rtt = await loopbackRtt(ctx.host.echoPort, rttSamples);
  const clock = await ctx.host.clockOffset(20);
  const plan = { count: Math.ceil((capMs + exitWaitMs) / intervalMs) + linesPerAttach * 2, intervalMs, cuts, linesPerAttach };
  const tickerRun = (follower: RunnerClient): Promise<TickerRun> =>
    runTicker({ host: ctx.host, client: follower, plan, shouldStop: stopAfterLastCut(cuts, linesPerAttach), capMs, exitWaitMs, clockOffsetMs: clock.offsetMs });
  /** The three followers of figure 8: boxlite-rx as users run it, with preconnect off, and the bare floor. */
  const followers = (baseUrl: string): readonly [string, RunnerClient][] => [
    ['boxlite-rx', createRunnerClient({ baseUrl, token: ctx.host.token, ...(reconnect === undefined ? {} : { reconnect }) })],
    ['boxlite-rx with preconnect: false', createRunnerClient({ baseUrl, token: ctx.host.token, preconnect: false, ...(reconnect === undefined ? {} : { reconnect }) })],
    ['floor, a bare ws client that re-attaches at once (no probe, no alignment; it re-delivers each replay)', rawReconnectClient({ url: baseUrl, token: ctx.host.token })],
  ];
  const [main, ...others] = followers(ctx.host.url);
  const client = (main as [string, RunnerClient])[1];
  const floorClient = others.at(-1)?.[1];
  const run = await tickerRun(client);
  const planned = run.state?.cuts ?? [];
  const applied = appliedCuts(run);
  const results = cutsOf(run);
  // The same run with preconnect off, and the floor: a bare ws client that re-attaches at once.
  const compared: string[] = [];
  let floorP50 = Number.NaN;
  for (const [label, other] of others) {
    const otherRun = await tickerRun(other);
    compared.push(`${label}: ${summary(otherRun)}`);
    if (other === floorClient) floorP50 = resumeStats(otherRun).p50;
  }
  const resumed = results.filter((r) => r.resumed);
  const resumeMs = resumed.map((r) => r.resumeMs);
  const p50 = median(resumeMs);
  const p99 = percentile(resumeMs, 99);
  const floorRatio = p50 / floorP50;
  const conflicts = run.state?.attaches.filter((attach) => attach.status === 409).length ?? Number.NaN;
  const exact = run.lost === 0 && run.repeated === 0 && run.malformed === 0 && run.undelivered === 0;
  const timeMet = floorRatio <= 1.15 && p99 <= 50;
  const allResumed = resumed.length === cuts;

  ctx.log(`  loopback RTT (TCP echo, median of ${rttSamples}): ${fixed(rtt * 1000, 0)} µs`);
  ctx.log(`  clock: clockNow() = performance.timeOrigin + performance.now() in both processes; emulator − client offset ${fixed(clock.offsetMs, 3)} ms ± ${fixed(clock.uncertaintyMs, 3)} ms, taken out of every latency`);
  ctx.log(`  ${describeEnd(run)}; ${run.state?.linesWritten ?? '?'} lines written, ${run.arrivals.length} delivered`);
  ctx.log(
    `  cuts made ${applied.length}${planned.length > applied.length ? ` (one more planned on the last attach, not reached when the command stopped)` : ''}, ` +
      `resumed ${resumed.length} of ${cuts}; 409 answers ${conflicts}`,
  );
  ctx.log(`  resume time per cut (ms): ${results.map((r) => (r.resumed ? fixed(r.resumeMs, 1) : 'not resumed')).join(', ') || 'none'}`);
  ctx.log(`  cut → re-attach accepted, emulator clock (ms): ${results.map((r) => fixed(r.reconnectMs, 1)).join(', ') || 'none'}`);
  ctx.log(`  resume time over ${resumed.length} resumed cuts: median ${fixed(p50, 2)} ms, p99 ${fixed(p99, 2)} ms`);
  for (const line of compared) ctx.log(`  ${line}`);
  ctx.log(`  lines lost ${run.lost}, repeated ${run.repeated}, malformed ${run.malformed}, undelivered at the end ${run.undelivered}; notices: ${run.notices.length === 0 ? 'none' : run.notices.join(' | ')}`);
  if (run.capped) ctx.log(`  CAPPED at ${fixed(capMs / 1000, 0)} s: ${resumed.length} of ${cuts} cuts completed (resumed)`);
  ctx.log(`  median ÷ the floor's ${times(floorRatio)}; target ≤ 1.15×, p99 ≤ 50 ms: ${timeMet && allResumed ? 'met' : 'NOT met'}; 0 lost / repeated: ${exact ? 'met' : 'NOT met'}`);
  const linked = linkOneWayMs > 0 ? await overLink(ctx, linkOneWayMs, tickerRun, followers) : [];
  return {
    figures: [
      {
        id: '8',
        name: `Resume time after a cut (${cuts} cuts), median / p99`,
        ours: `${fixed(p50, 1)} / ${fixed(p99, 1)} ms (${resumed.length}/${cuts} cuts${run.capped ? `, CAPPED at ${fixed(capMs / 1000, 0)} s` : ''}); lost ${run.lost}, repeated ${run.repeated}`,
        baseline: `floor (bare ws) median ${fixed(floorP50, 1)} ms; RTT ${fixed(rtt * 1000, 0)} µs`,
        ratio: `median ${times(floorRatio)}`,
        target: 'median ≤ 1.15× the floor, p99 ≤ 50 ms; 0 lost / repeated',
        met: timeMet && allResumed && exact && run.exit !== undefined,
        values: {
          p50,
          p99,
          rttMs: rtt,
          floorP50,
          floorRatio,
          cuts,
          cutsApplied: applied.length,
          cutsResumed: resumed.length,
          lost: run.lost,
          repeated: run.repeated,
          malformed: run.malformed,
          undelivered: run.undelivered,
          capped: run.capped ? 1 : 0,
          conflicts,
          clockOffsetMs: clock.offsetMs,
        },
      },
      ...linked,
    ],
  };
}

/** Resume times of a run's resumed cuts, and what it lost or repeated. */
function resumeStats(run: TickerRun): { p50: number; p99: number; resumed: number; exact: boolean } {
  const resumeMs = cutsOf(run).filter((r) => r.resumed).map((r) => r.resumeMs);
  const exact = run.lost === 0 && run.repeated === 0 && run.malformed === 0 && run.undelivered === 0;
  return { p50: median(resumeMs), p99: percentile(resumeMs, 99), resumed: resumeMs.length, exact };
}

/** One line on a run: its resume times, what it lost, how it ended. */
function summary(run: TickerRun): string {
  const { p50, p99, resumed } = resumeStats(run);
  return `median ${fixed(p50, 2)} ms, p99 ${fixed(p99, 2)} ms over ${resumed} resumed cuts, lost ${run.lost}; ${describeEnd(run)}`;
}

/**
 * Figure 8b: the three followers again, through a proxy that delays each direction `oneWayMs`
 * (round trips are what preconnect saves, and loopback has almost none). The floor re-delivers
 * replays, so only its times count.
 */
async function overLink(
  ctx: BenchContext,
  oneWayMs: number,
  tickerRun: (follower: RunnerClient) => Promise<TickerRun>,
  followers: (baseUrl: string) => readonly [string, RunnerClient][],
): Promise<Figure[]> {
  const link = await startDelayingProxy(Number(new URL(ctx.host.url).port), oneWayMs);
  const echo = await startDelayingProxy(ctx.host.echoPort, oneWayMs);
  try {
    const rtt = await loopbackRtt(echo.port, Math.min(ctx.config.resume.rttSamples, 20));
    ctx.log(`8b. the same, through a proxy that holds each direction ${oneWayMs} ms: RTT (TCP echo through it) ${fixed(rtt, 1)} ms`);
    const stats: ReturnType<typeof resumeStats>[] = [];
    for (const [label, follower] of followers(link.url)) {
      const run = await tickerRun(follower);
      stats.push(resumeStats(run));
      ctx.log(`  ${label}: ${summary(run)}`);
    }
    const [on, off, floor] = stats as [ReturnType<typeof resumeStats>, ReturnType<typeof resumeStats>, ReturnType<typeof resumeStats>];
    return [
      {
        id: '8b',
        name: `Resume time over a ${fixed(2 * oneWayMs, 0)} ms RTT link, median / p99`,
        ours: `${fixed(on.p50, 1)} / ${fixed(on.p99, 1)} ms (${on.resumed} cuts)`,
        baseline: `preconnect off ${fixed(off.p50, 1)} / ${fixed(off.p99, 1)} ms; bare ws floor ${fixed(floor.p50, 1)} ms; RTT ${fixed(rtt, 1)} ms`,
        ratio: `${fixed(on.p50 / off.p50, 2)}× of preconnect off`,
        target: '0 lost / repeated (the time is a record, not a target)',
        met: on.exact && off.exact,
        values: { p50: on.p50, p99: on.p99, offP50: off.p50, offP99: off.p99, floorP50: floor.p50, rttMs: rtt },
      },
    ];
  } finally {
    await link.close();
    await echo.close();
  }
}

/** Per applied cut of a ticker run: whether it resumed, its resume time and its reconnect time. */
function cutsOf(run: TickerRun): CutResult[] {
  const applied = appliedCuts(run);
  const cycles = run.state === undefined ? [] : attachCycles(run.state);
  const bySeq = new Map(run.arrivals.map((line) => [line.seq, line]));
  return applied.map((cut, c) => {
    const end = applied[c + 1]?.splitLine ?? Number.POSITIVE_INFINITY;
    const lines = run.arrivals.filter((line) => line.seq >= cut.splitLine && line.seq < end);
    const k = cycles.findIndex((cycle) => cycle.attempt === cut.attempt);
    const next = cycles[k + 1];
    const gone = cycles[k]?.detachedAt;
    return {
      splitLine: cut.splitLine,
      resumed: bySeq.has(cut.splitLine),
      resumeMs: lines.length === 0 ? Number.NaN : Math.max(...lines.map((line) => line.latencyMs)),
      reconnectMs: next === undefined || gone === undefined ? Number.NaN : next.attachedAt - gone,
    };
  });
}

/**
 * The cuts the emulator applied: a cut planned on an attach fires when its split line is written;
 * the last one may not have fired when the command was stopped (the cap).
 */
function appliedCuts(run: TickerRun): TickerCut[] {
  return (run.state?.cuts ?? []).filter((cut) => cut.splitLine < (run.state?.linesWritten ?? 0));
}
