/**
 * The throughput measurement behind figures 1 and 2: the three clients stream the same flood from
 * the emulator, one after the other, in a rotating order; medians over `runs`.
 */

import { allClients, type ClientName, type StreamResult } from './clients.js';
import type { BenchContext } from './config.js';
import { fixed, median, mibPerSecond, times } from './report.js';
import { floodRequest } from './scripts.js';

/** Medians per client, and the emulator's drop counter over the measured runs. */
export interface Throughput {
  /** Median MiB/s, first stdout byte to exit. */
  readonly mibPerSecond: Readonly<Record<ClientName, number>>;
  /** Median stdout frames per second. */
  readonly framesPerSecond: Readonly<Record<ClientName, number>>;
  /** Median client CPU milliseconds per execution. */
  readonly cpuMs: Readonly<Record<ClientName, number>>;
  /** Median emulator CPU milliseconds per execution (near the wall time: the emulator was the limit). */
  readonly emulatorCpuMs: Readonly<Record<ClientName, number>>;
  /**
   * boxlite-rx's rate over each client's, run by run (the runs of one round are next to each other
   * in time, so they share the machine's load), median over the rounds.
   */
  readonly ratio: Readonly<Record<ClientName, number>>;
  /** Live chunks the emulator dropped during the measured runs. */
  readonly droppedChunks: number;
}

const ORDER: readonly ClientName[] = ['ws', 'rxjs webSocket()', 'boxlite-rx'];

/** The median over rounds of `ours[i]`'s rate over `theirs[i]`'s. */
function pairedRatio(ours: readonly StreamResult[], theirs: readonly StreamResult[]): number {
  return median(ours.map((r, i) => (theirs[i]?.streamMs ?? Number.NaN) / r.streamMs));
}

/**
 * Streams `count` chunks of `chunkBytes` through every client `runs` times (after one warm-up run
 * each on an eighth of it) and checks each received exactly that many bytes and exit code 0.
 */
export async function measureThroughput(ctx: BenchContext, label: string, chunkBytes: number, count: number): Promise<Throughput> {
  const clients = allClients(ctx.host);
  type Sample = StreamResult & { readonly emulatorCpuMs: number };
  const run = async (name: ClientName, chunks: number): Promise<Sample> => {
    const before = (await ctx.host.stats()).cpuMs;
    const result = await clients[name](floodRequest(chunkBytes, chunks));
    if (result.bytes !== chunkBytes * chunks || result.exitCode !== 0) {
      throw new Error(`${label}: ${name} received ${result.bytes} of ${chunkBytes * chunks} bytes, exit ${result.exitCode}`);
    }
    return { ...result, emulatorCpuMs: (await ctx.host.stats()).cpuMs - before };
  };
  const droppedBefore = (await ctx.host.stats()).droppedChunks;
  for (const name of ORDER) await run(name, Math.max(1, Math.ceil(count / 8)));
  const samples: Record<ClientName, Sample[]> = { ws: [], 'rxjs webSocket()': [], 'boxlite-rx': [] };
  for (let i = 0; i < ctx.config.runs; i += 1) {
    for (let k = 0; k < ORDER.length; k += 1) {
      const name = ORDER[(i + k) % ORDER.length] as ClientName;
      samples[name].push(await run(name, count));
    }
  }
  const droppedChunks = (await ctx.host.stats()).droppedChunks - droppedBefore;
  const summary = (f: (r: Sample) => number): Record<ClientName, number> => ({
    ws: median(samples.ws.map(f)),
    'rxjs webSocket()': median(samples['rxjs webSocket()'].map(f)),
    'boxlite-rx': median(samples['boxlite-rx'].map(f)),
  });
  const result = {
    mibPerSecond: summary((r) => mibPerSecond(r.bytes, r.streamMs)),
    framesPerSecond: summary((r) => r.frames / (r.streamMs / 1000)),
    cpuMs: summary((r) => r.cpuMs),
    emulatorCpuMs: summary((r) => r.emulatorCpuMs),
    ratio: {
      ws: pairedRatio(samples['boxlite-rx'], samples.ws),
      'rxjs webSocket()': pairedRatio(samples['boxlite-rx'], samples['rxjs webSocket()']),
      'boxlite-rx': 1,
    },
    droppedChunks,
  };
  for (const name of ORDER) {
    const runs = samples[name].map((r) => fixed(mibPerSecond(r.bytes, r.streamMs), 0)).join(', ');
    ctx.log(
      `  ${label} ${name.padEnd(16)} median ${fixed(result.mibPerSecond[name], 1)} MiB/s, ` +
        `${fixed(result.framesPerSecond[name] / 1000, 0)} k frames/s; CPU per run: client ${fixed(result.cpuMs[name], 0)} ms, ` +
        `emulator ${fixed(result.emulatorCpuMs[name], 0)} ms (runs: ${runs} MiB/s)`,
    );
  }
  ctx.log(`  ${label} boxlite-rx / ws, run by run, median: ${times(result.ratio.ws)}; / rxjs webSocket(): ${times(result.ratio['rxjs webSocket()'])}`);
  ctx.log(`  ${label} emulator dropped chunks (warm-up included): ${droppedChunks}`);
  return result;
}
