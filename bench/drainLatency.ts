/**
 * Figure 3: drain latency. A fast command whose first attach is cut right after the upgrade: the
 * time from the cut (the client sees its socket close) to the exit event, through probe and
 * re-attach, against the clean path's time from subscribe to exit. Target: no sleep on the path
 * (no 409 retried, so no backoff) and at most the clean time plus 3 loopback round trips.
 */

import WebSocket, { type ClientOptions } from 'ws';
import { createRunnerClient, type ExecRequest, type WebSocketConstructor } from '../dist/index.js';
import { BOX } from './clients.js';
import type { BenchContext } from './config.js';
import { fixed, median, times, type Figure } from './report.js';
import { loopbackRtt } from './rtt.js';
import { fastRequest } from './scripts.js';

const TEXT = 'fast command output\n';

/** When the first socket of the current execution closed (the cut, as the client sees it). */
let firstClose: number | undefined;

/** `ws`, noting when a socket closes before the library hears of it. */
class TimedWebSocket extends WebSocket {
  constructor(url: string, options?: ClientOptions) {
    super(url, options);
    this.on('close', () => {
      firstClose ??= performance.now();
    });
  }
}

/** Runs figure 3. */
export async function drainLatency(ctx: BenchContext): Promise<{ figures: Figure[] }> {
  const { runs, rttSamples } = ctx.config.drain;
  ctx.log(`3. drain latency, fast command, first attach cut after the upgrade (median of ${runs})`);
  const client = createRunnerClient({
    baseUrl: ctx.host.url,
    token: ctx.host.token,
    WebSocket: TimedWebSocket as unknown as WebSocketConstructor,
  });
  /** Runs one execution; resolves to [ms from subscribe to exit, ms from the first socket's close to exit]. */
  const once = (request: ExecRequest): Promise<[number, number]> =>
    new Promise((resolve, reject) => {
      firstClose = undefined;
      let stdout = '';
      const decoder = new TextDecoder();
      const start = performance.now();
      client.exec(BOX, request).subscribe({
        next(event) {
          if (event.type === 'stdout') stdout += decoder.decode(event.data, { stream: true });
          if (event.type !== 'exit') return;
          const end = performance.now();
          if (stdout !== TEXT || event.exitCode !== 0 || event.source !== 'frame') {
            reject(new Error(`drain: got ${JSON.stringify(stdout)}, exit ${event.exitCode} from ${event.source}`));
          }
          resolve([end - start, end - (firstClose ?? Number.NaN)]);
        },
        error: reject,
      });
    });
  for (let i = 0; i < 3; i += 1) {
    await once(fastRequest(TEXT, false));
    await once(fastRequest(TEXT, true));
  }
  const before = await ctx.host.stats();
  const clean: number[] = [];
  const drain: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    clean.push((await once(fastRequest(TEXT, false)))[0]);
    drain.push((await once(fastRequest(TEXT, true)))[1]);
  }
  const after = await ctx.host.stats();
  const conflicts = after.rejected409 - before.rejected409;
  const cuts = after.cuts - before.cuts;
  const rtt = await loopbackRtt(ctx.host.echoPort, rttSamples);
  const ours = median(drain);
  const baseline = median(clean);
  const bound = baseline + 3 * rtt;
  ctx.log(`  clean subscribe→exit: median ${fixed(baseline, 2)} ms (runs: ${clean.map((ms) => fixed(ms, 2)).join(', ')})`);
  ctx.log(`  cut→exit (probe + re-attach): median ${fixed(ours, 2)} ms, max ${fixed(Math.max(...drain), 2)} ms (runs: ${drain.map((ms) => fixed(ms, 2)).join(', ')})`);
  ctx.log(`  loopback RTT (TCP echo, median of ${rttSamples}): ${fixed(rtt * 1000, 0)} µs; bound clean + 3 RTT = ${fixed(bound, 2)} ms`);
  ctx.log(`  cuts ${cuts}, 409 answers (each one a backoff sleep) ${conflicts}`);
  return {
    figures: [
      {
        id: '3',
        name: 'Drain latency: cut → exit vs clean subscribe → exit',
        ours: `${fixed(ours, 2)} ms`,
        baseline: `${fixed(baseline, 2)} ms (clean); RTT ${fixed(rtt * 1000, 0)} µs`,
        ratio: times(ours / baseline),
        target: `≤ clean + 3 RTT (${fixed(bound, 2)} ms), no sleep`,
        met: ours <= bound && conflicts === 0 && cuts === runs,
        values: { ours, baseline, ratio: ours / baseline, rttMs: rtt, boundMs: bound, conflicts, cuts },
      },
    ],
  };
}
