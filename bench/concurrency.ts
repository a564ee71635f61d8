/**
 * Figure 5: concurrency. 1,000 executions at once on one boxlite-rx client, their first attaches
 * cut in turn after the upgrade, mid-stream and before the exit (a quarter each, a quarter clean):
 * every output must be exact; p50/p99 time from subscribe to result; afterwards the process's
 * handles and the emulator's open sockets must be back to where they were. The baseline is a raw
 * `ws` client running the same executions without cuts (it could not recover from one). Two
 * unmeasured rounds of each come first: the first bursts of a process are several times slower.
 */

import { createRunnerClient } from '../dist/index.js';
import { BOX, rawWsClient } from './clients.js';
import type { BenchContext } from './config.js';
import { activeResources, settle } from './handles.js';
import { fixed, percentile, times, type Figure } from './report.js';
import { CUT_KINDS, linesRequest, linesText } from './scripts.js';

/** Runs figure 5; the emulator's drop count over it is returned for figure 6. */
export async function concurrency(ctx: BenchContext): Promise<{ figures: Figure[]; droppedChunks: number }> {
  const { executions, lines, settleMs } = ctx.config.concurrency;
  ctx.log(`5. concurrency, ${executions} executions at once on one client, ${lines} lines each`);
  const handlesBefore = activeResources();
  const statsStart = await ctx.host.stats();
  const client = createRunnerClient({ baseUrl: ctx.host.url, token: ctx.host.token });
  const raw = rawWsClient(ctx.host);
  const label = (i: number): string => `exec-${i}`;

  /** One boxlite-rx execution, its first attach cut as `cuts` says. */
  const one = (i: number, cuts: boolean): Promise<{ ms: number; exact: boolean }> =>
    new Promise((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      const start = performance.now();
      const cut = cuts ? (CUT_KINDS[i % CUT_KINDS.length] ?? 'none') : 'none';
      client.exec(BOX, linesRequest(label(i), lines, cut)).subscribe({
        next(event) {
          if (event.type === 'stdout') chunks.push(event.data);
          if (event.type !== 'exit') return;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ ms: performance.now() - start, exact: text === linesText(label(i), lines) && event.exitCode === 0 });
        },
        error: reject,
      });
    });
  /** One raw `ws` execution, without a cut. */
  const rawOne = async (i: number): Promise<{ ms: number; exact: boolean }> => {
    const start = performance.now();
    const result = await raw(linesRequest(label(i), lines, 'none'));
    return { ms: performance.now() - start, exact: result.bytes === Buffer.byteLength(linesText(label(i), lines)) };
  };
  const all = <T>(run: (i: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: executions }, (_, i) => run(i)));

  for (let round = 0; round < 2; round += 1) {
    await all((i) => one(i, true));
    await all(rawOne);
  }
  const statsBefore = await ctx.host.stats();
  const ours = await all((i) => one(i, true));
  const statsAfter = await ctx.host.stats();
  const baseline = await all(rawOne);
  const clean = await all((i) => one(i, false));
  let statsSettled = statsStart;
  const settled = await settle(handlesBefore, settleMs, async () => {
    statsSettled = await ctx.host.stats();
    const open = statsSettled.openSockets - statsStart.openSockets;
    return open > 0 ? [`emulator sockets +${open}`] : [];
  });

  const exact = ours.filter((r) => r.exact).length;
  const p = (rs: readonly { ms: number }[], q: number): number => percentile(rs.map((r) => r.ms), q);
  const cuts = statsAfter.cuts - statsBefore.cuts;
  ctx.log(`  boxlite-rx, with cuts: ${exact}/${executions} outputs exact, p50 ${fixed(p(ours, 50), 1)} ms, p99 ${fixed(p(ours, 99), 1)} ms, cuts ${cuts}, 409s ${statsAfter.rejected409 - statsBefore.rejected409}`);
  ctx.log(`  boxlite-rx, no cuts:  ${clean.filter((r) => r.exact).length}/${executions} outputs exact, p50 ${fixed(p(clean, 50), 1)} ms, p99 ${fixed(p(clean, 99), 1)} ms`);
  ctx.log(`  ws, no cuts:          ${baseline.filter((r) => r.exact).length}/${executions} byte counts exact, p50 ${fixed(p(baseline, 50), 1)} ms, p99 ${fixed(p(baseline, 99), 1)} ms`);
  ctx.log(
    `  handles and emulator sockets back to baseline: ${settled.left.length === 0 ? 'yes' : `no: ${settled.left.join(', ')}`}, ` +
      `after ${fixed(settled.ms, 0)} ms (${process.getActiveResourcesInfo().length} active resources)`,
  );
  const droppedChunks = statsSettled.droppedChunks - statsStart.droppedChunks;
  ctx.log(`  emulator dropped chunks (all rounds): ${droppedChunks}`);
  const p99 = p(ours, 99);
  return {
    droppedChunks,
    figures: [
      {
        id: '5',
        name: `Concurrency: ${executions} executions with cuts, p50 / p99 to result`,
        ours: `${exact}/${executions} exact; ${fixed(p(ours, 50), 0)} / ${fixed(p99, 0)} ms`,
        baseline: `${fixed(p(baseline, 50), 0)} / ${fixed(p(baseline, 99), 0)} ms (ws, no cuts)`,
        ratio: times(p99 / p(baseline, 99)),
        target: 'all exact; handles and sockets back to baseline',
        met: exact === executions && settled.left.length === 0,
        values: { exact, executions, p50: p(ours, 50), p99, baselineP50: p(baseline, 50), baselineP99: p(baseline, 99), cuts, settleMs: settled.ms },
      },
    ],
  };
}
