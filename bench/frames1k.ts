/**
 * Figure 9: 1 KiB frames, the size real output arrives in (the runner's pump reads 1 KiB at a
 * time: 1025-byte frames). The emulator's flood of 1024-byte chunks, as fast as the client takes
 * them; every client in a fresh process per run, the clients of a round one after the other
 * (A B A B …), medians over the rounds. CPU ratios (ours ÷ baseline, lower is better) beside rate
 * ratios (ours ÷ baseline, higher is better).
 *
 * - 9a: the library (`exec`, counting bytes) against raw `ws` counting bytes, both behind the
 *   start gate; CPU of the client process from the request to the exit, rate from the first byte.
 * - 9b: `node dist/cli.js exec … | wc -c` against `node bench/rawWsStdout.mjs … | wc -c` (each
 *   payload to stdout, the same start gate); user + sys of the client process by `/usr/bin/time`,
 *   rate over its wall time (start to exit).
 * - 9c (when `BENCH_BASE_CLI` names another build's `cli.js`): this build's CLI against that one.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecRequest } from '../dist/index.js';
import { BOX, startGate, type StreamResult } from './clients.js';
import type { BenchContext } from './config.js';
import { exited, forkBench, nextMessage } from './fork.js';
import { fixed, median, mibPerSecond, times, type Figure } from './report.js';
import { floodRequest } from './scripts.js';

/** One run of one client: its process's CPU and its rate. */
interface Run {
  readonly cpuMs: number;
  readonly mibPerSecond: number;
}

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const RAW_STDOUT = fileURLToPath(new URL('./rawWsStdout.mjs', import.meta.url));

/** 9a's client: `frames1kClient.ts` in a fresh process. */
async function libraryRun(ctx: BenchContext, name: 'boxlite-rx' | 'ws'): Promise<Run> {
  const { chunkBytes, count } = ctx.config.frames1k;
  const child = forkBench('./frames1kClient.ts', [ctx.host.url, ctx.host.token, name, String(chunkBytes), String(count)]);
  const { result } = await nextMessage<{ type: 'result'; result: StreamResult }>(child, 'result');
  await exited(child);
  if (result.bytes !== chunkBytes * count || result.exitCode !== 0) {
    throw new Error(`9a: ${name} received ${result.bytes} of ${chunkBytes * count} bytes, exit ${result.exitCode}`);
  }
  return { cpuMs: result.cpuMs, mibPerSecond: mibPerSecond(result.bytes, result.streamMs) };
}

/** 9b's client: `command` under `/usr/bin/time`, its stdout into `wc -c`. */
async function pipedRun(ctx: BenchContext, label: string, command: readonly string[]): Promise<Run> {
  const { chunkBytes, count } = ctx.config.frames1k;
  const dir = mkdtempSync(join(tmpdir(), 'bench-1k-'));
  const timeFile = join(dir, 'time');
  const script = 'set -o pipefail; t=$1; shift; /usr/bin/time -f "%U %S %e" -o "$t" "$@" | wc -c';
  const child = spawn('bash', ['-c', script, 'bash', timeFile, ...command], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BOXLITE_REST_URL: ctx.host.url, BOXLITE_API_KEY: ctx.host.token },
  });
  let out = '';
  child.stdout.on('data', (data: Buffer) => (out += data.toString()));
  await exited(child);
  const [user = Number.NaN, sys = Number.NaN, wall = Number.NaN] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  rmSync(dir, { recursive: true, force: true });
  if (child.exitCode !== 0 || Number(out) !== chunkBytes * count) {
    throw new Error(`9b: ${label} exited ${String(child.exitCode)}, wc counted ${out.trim()} of ${chunkBytes * count} bytes`);
  }
  return { cpuMs: (user + sys) * 1000, mibPerSecond: mibPerSecond(chunkBytes * count, wall * 1000) };
}

/** The CLI of `cli` (a built `cli.js`) running the flood. */
function cliCommand(ctx: BenchContext, cli: string): string[] {
  const request = flood(ctx);
  return [process.execPath, cli, 'exec', BOX, '--', request.command, ...(request.args ?? [])];
}

function flood(ctx: BenchContext): ExecRequest {
  return floodRequest(ctx.config.frames1k.chunkBytes, ctx.config.frames1k.count);
}

/** The raw `ws` script, behind the same start gate. */
function rawCommand(ctx: BenchContext): string[] {
  const gate = startGate(flood(ctx));
  return [process.execPath, RAW_STDOUT, BOX, JSON.stringify(gate.request), gate.line];
}

/** Runs `clients` in interleaved rounds (the order rotating each round); each client's runs. */
async function rounds(ctx: BenchContext, clients: Readonly<Record<string, () => Promise<Run>>>): Promise<Record<string, Run[]>> {
  const names = Object.keys(clients);
  const runs: Record<string, Run[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < ctx.config.frames1k.rounds; i += 1) {
    for (let k = 0; k < names.length; k += 1) {
      const name = names[(i + k) % names.length] as string;
      const run = await (clients[name] as () => Promise<Run>)();
      runs[name]?.push(run);
      ctx.log(`  round ${i + 1} ${name.padEnd(22)} CPU ${fixed(run.cpuMs, 0)} ms, ${fixed(run.mibPerSecond, 1)} MiB/s`);
    }
  }
  return runs;
}

/** The figure line comparing the runs of `ours` with those of `theirs`. */
function compare(id: string, name: string, ours: readonly Run[], theirs: readonly Run[], baseline: string, floor: number, target: number): Figure {
  const cpu = median(ours.map((r) => r.cpuMs));
  const baseCpu = median(theirs.map((r) => r.cpuMs));
  const rate = median(ours.map((r) => r.mibPerSecond));
  const baseRate = median(theirs.map((r) => r.mibPerSecond));
  const cpuRatio = cpu / baseCpu;
  const rateRatio = rate / baseRate;
  return {
    id,
    name,
    ours: `CPU ${fixed(cpu, 0)} ms, ${fixed(rate, 1)} MiB/s`,
    baseline: `CPU ${fixed(baseCpu, 0)} ms, ${fixed(baseRate, 1)} MiB/s ${baseline}`,
    ratio: `CPU ${times(cpuRatio)} (rate ${times(rateRatio)})`,
    target: `CPU ≤ ${fixed(floor, 2)}× (target ${fixed(target, 2)}×)`,
    met: cpuRatio <= floor,
    values: { cpuMs: cpu, baselineCpuMs: baseCpu, cpuRatio, mibPerSecond: rate, baselineMibPerSecond: baseRate, rateRatio },
  };
}

/** Runs figure 9 (9c only when `BENCH_BASE_CLI` is set). */
export async function frames1k(ctx: BenchContext): Promise<{ figures: Figure[] }> {
  const { chunkBytes, count, rounds: n } = ctx.config.frames1k;
  const mib = fixed((chunkBytes * count) / 2 ** 20, 0);
  ctx.log(`9. 1 KiB frames: ${mib} MiB in ${chunkBytes}-byte chunks, each client in its own process, ${n} interleaved rounds (medians)`);
  const library = await rounds(ctx, { ws: () => libraryRun(ctx, 'ws'), 'boxlite-rx': () => libraryRun(ctx, 'boxlite-rx') });
  const base = process.env['BENCH_BASE_CLI'];
  const piped: Record<string, () => Promise<Run>> = {
    'raw ws | wc -c': () => pipedRun(ctx, 'raw ws', rawCommand(ctx)),
    'CLI | wc -c': () => pipedRun(ctx, 'CLI', cliCommand(ctx, CLI)),
  };
  if (base !== undefined) piped['base CLI | wc -c'] = () => pipedRun(ctx, 'base CLI', cliCommand(ctx, base));
  const cli = await rounds(ctx, piped);
  const figures = [
    compare('9a', `1 KiB frames, library vs raw ws, counting bytes (${mib} MiB)`, library['boxlite-rx'] ?? [], library.ws ?? [], 'ws', 1.14, 1.1),
    compare('9b', `1 KiB frames, CLI into wc -c vs raw ws writing to stdout (${mib} MiB)`, cli['CLI | wc -c'] ?? [], cli['raw ws | wc -c'] ?? [], 'raw ws', 1.4, 1.2),
  ];
  if (base !== undefined) {
    figures.push(compare('9c', `1 KiB frames, this CLI vs ${base}`, cli['CLI | wc -c'] ?? [], cli['base CLI | wc -c'] ?? [], 'base CLI', 1, 1));
  }
  return { figures };
}
