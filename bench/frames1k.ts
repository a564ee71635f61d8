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
import { bounded, fixed, median, mibPerSecond, times, type Figure } from './report.js';
import { floodRequest } from './scripts.js';

/** One run of one client: its process's CPU, its rate, and the emulator's CPU meanwhile. */
interface Run {
  readonly cpuMs: number;
  /** Of `cpuMs`, the kernel's (NaN where the client reports only the sum). */
  readonly sysMs: number;
  readonly mibPerSecond: number;
  /** The rate's time: first byte to exit (9a), or the process's wall time (9b). */
  readonly wallMs: number;
  readonly emulatorCpuMs: number;
}

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const RAW_STDOUT = fileURLToPath(new URL('./rawWsStdout.mjs', import.meta.url));

/** `measure`'s run, with the emulator's CPU over it. */
async function withEmulatorCpu(ctx: BenchContext, measure: () => Promise<Omit<Run, 'emulatorCpuMs'>>): Promise<Run> {
  const before = (await ctx.host.stats()).cpuMs;
  const run = await measure();
  return { ...run, emulatorCpuMs: (await ctx.host.stats()).cpuMs - before };
}

/** 9a's client: `frames1kClient.ts` in a fresh process. */
async function libraryRun(ctx: BenchContext, name: 'boxlite-rx' | 'ws'): Promise<Omit<Run, 'emulatorCpuMs'>> {
  const { chunkBytes, count } = ctx.config.frames1k;
  const child = forkBench('./frames1kClient.ts', [ctx.host.url, ctx.host.token, name, String(chunkBytes), String(count)]);
  const { result } = await nextMessage<{ type: 'result'; result: StreamResult }>(child, 'result');
  await exited(child);
  if (result.bytes !== chunkBytes * count || result.exitCode !== 0) {
    throw new Error(`9a: ${name} received ${result.bytes} of ${chunkBytes * count} bytes, exit ${result.exitCode}`);
  }
  return { cpuMs: result.cpuMs, sysMs: Number.NaN, mibPerSecond: mibPerSecond(result.bytes, result.streamMs), wallMs: result.streamMs };
}

/** 9b's client: `command` (for `count` chunks) under `/usr/bin/time`, its stdout into `wc -c`. */
async function pipedRun(ctx: BenchContext, label: string, command: (count: number) => string[], count: number): Promise<Omit<Run, 'emulatorCpuMs'>> {
  const { chunkBytes } = ctx.config.frames1k;
  const dir = mkdtempSync(join(tmpdir(), 'bench-1k-'));
  const timeFile = join(dir, 'time');
  const script = 'set -o pipefail; t=$1; shift; /usr/bin/time -f "%U %S %e" -o "$t" "$@" | wc -c';
  const child = spawn('bash', ['-c', script, 'bash', timeFile, ...command(count)], {
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
  return { cpuMs: (user + sys) * 1000, sysMs: sys * 1000, mibPerSecond: mibPerSecond(chunkBytes * count, wall * 1000), wallMs: wall * 1000 };
}

/** The flood of `count` chunks. */
function flood(ctx: BenchContext, count: number): ExecRequest {
  return floodRequest(ctx.config.frames1k.chunkBytes, count);
}

/** The CLI of `cli` (a built `cli.js`) running the flood. */
function cliCommand(ctx: BenchContext, cli: string): (count: number) => string[] {
  return (count) => {
    const request = flood(ctx, count);
    return [process.execPath, cli, 'exec', BOX, '--', request.command, ...(request.args ?? [])];
  };
}

/** The raw `ws` script, behind the same start gate. */
function rawCommand(ctx: BenchContext): (count: number) => string[] {
  return (count) => {
    const gate = startGate(flood(ctx, count));
    return [process.execPath, RAW_STDOUT, BOX, JSON.stringify(gate.request), gate.line];
  };
}

/** Runs `clients` in interleaved rounds (the order rotating each round); each client's runs. */
async function rounds(ctx: BenchContext, what: string, clients: Readonly<Record<string, () => Promise<Omit<Run, 'emulatorCpuMs'>>>>): Promise<Record<string, Run[]>> {
  const names = Object.keys(clients);
  const runs: Record<string, Run[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let i = 0; i < ctx.config.frames1k.rounds; i += 1) {
    for (let k = 0; k < names.length; k += 1) {
      const name = names[(i + k) % names.length] as string;
      const run = await withEmulatorCpu(ctx, clients[name] as () => Promise<Omit<Run, 'emulatorCpuMs'>>);
      runs[name]?.push(run);
      const sys = Number.isNaN(run.sysMs) ? '' : ` (sys ${fixed(run.sysMs, 0)})`;
      ctx.log(`  ${what} round ${i + 1} ${name.padEnd(18)} CPU ${fixed(run.cpuMs, 0)} ms${sys}, ${fixed(run.mibPerSecond, 1)} MiB/s, emulator CPU ${fixed(run.emulatorCpuMs, 0)} ms`);
    }
  }
  return runs;
}

/** The median of `key` over `runs`. */
const med = (runs: readonly Run[] | undefined, key: keyof Run): number => median((runs ?? []).map((r) => r[key]));

/**
 * The figure line comparing the runs of `ours` with those of `theirs`; `startup`: each one's runs
 * for one chunk, whose median CPU and wall time are taken off for the ratios without start-up.
 */
function compare(
  id: string,
  name: string,
  ours: readonly Run[] | undefined,
  theirs: readonly Run[] | undefined,
  baseline: string,
  bounds: { readonly floor: number; readonly target: number },
  startup?: { readonly ours: readonly Run[] | undefined; readonly theirs: readonly Run[] | undefined },
): Figure {
  const cpu = med(ours, 'cpuMs');
  const baseCpu = med(theirs, 'cpuMs');
  const rate = med(ours, 'mibPerSecond');
  const baseRate = med(theirs, 'mibPerSecond');
  const cpuRatio = cpu / baseCpu;
  const rateRatio = rate / baseRate;
  const net = startup && {
    startupCpuMs: med(startup.ours, 'cpuMs'),
    baselineStartupCpuMs: med(startup.theirs, 'cpuMs'),
    netCpuRatio: (cpu - med(startup.ours, 'cpuMs')) / (baseCpu - med(startup.theirs, 'cpuMs')),
    netRateRatio: (med(theirs, 'wallMs') - med(startup.theirs, 'wallMs')) / (med(ours, 'wallMs') - med(startup.ours, 'wallMs')),
  };
  const netText = net ? `; without start-up: CPU ${times(net.netCpuRatio)}, rate ${times(net.netRateRatio)}` : '';
  return {
    id,
    name,
    ours: `CPU ${fixed(cpu, 0)} ms, ${fixed(rate, 1)} MiB/s`,
    baseline: `CPU ${fixed(baseCpu, 0)} ms, ${fixed(baseRate, 1)} MiB/s ${baseline}`,
    ratio: `CPU ${times(cpuRatio)} (rate ${times(rateRatio)}${netText})`,
    ...bounded(cpuRatio, bounds.floor, bounds.target),
    values: {
      cpuMs: cpu,
      baselineCpuMs: baseCpu,
      cpuRatio,
      mibPerSecond: rate,
      baselineMibPerSecond: baseRate,
      rateRatio,
      emulatorCpuMs: med(ours, 'emulatorCpuMs'),
      baselineEmulatorCpuMs: med(theirs, 'emulatorCpuMs'),
      // A smoke-sized run can take no measurable time past its start-up (a ratio over 0): left out of the values.
      ...Object.fromEntries(Object.entries(net ?? {}).filter(([, value]) => Number.isFinite(value))),
      ...(Number.isNaN(med(ours, 'sysMs')) ? {} : { sysMs: med(ours, 'sysMs'), baselineSysMs: med(theirs, 'sysMs') }),
    },
  };
}

/** Runs figure 9 (9c only when `BENCH_BASE_CLI` is set). */
export async function frames1k(ctx: BenchContext): Promise<{ figures: Figure[] }> {
  const { chunkBytes, count, rounds: n } = ctx.config.frames1k;
  const mib = fixed((chunkBytes * count) / 2 ** 20, 0);
  ctx.log(`9. 1 KiB frames: ${mib} MiB in ${chunkBytes}-byte chunks, each client in its own process, ${n} interleaved rounds (medians)`);
  const library = await rounds(ctx, 'library', { ws: () => libraryRun(ctx, 'ws'), 'boxlite-rx': () => libraryRun(ctx, 'boxlite-rx') });
  const base = process.env['BENCH_BASE_CLI'];
  const commands: Record<string, (count: number) => string[]> = { 'raw ws | wc -c': rawCommand(ctx), 'CLI | wc -c': cliCommand(ctx, CLI) };
  if (base !== undefined) commands['base CLI | wc -c'] = cliCommand(ctx, base);
  const piped = (chunks: number): Record<string, () => Promise<Omit<Run, 'emulatorCpuMs'>>> =>
    Object.fromEntries(Object.entries(commands).map(([name, command]) => [name, () => pipedRun(ctx, name, command, chunks)]));
  // The same processes for one chunk: their start-up (Node, modules, POST, attach, exit) alone.
  const startup = await rounds(ctx, 'start-up', piped(1));
  const cli = await rounds(ctx, 'piped', piped(count));
  const startupOf = (ours: string, theirs: string): { ours: Run[] | undefined; theirs: Run[] | undefined } => ({ ours: startup[ours], theirs: startup[theirs] });
  const figures = [
    compare('9a', `1 KiB frames, library vs raw ws, counting bytes (${mib} MiB)`, library['boxlite-rx'], library.ws, 'ws', { floor: 1.14, target: 1.1 }),
    compare('9b', `1 KiB frames, CLI into wc -c vs raw ws writing to stdout (${mib} MiB)`, cli['CLI | wc -c'], cli['raw ws | wc -c'], 'raw ws', { floor: 1.4, target: 1.2 }, startupOf('CLI | wc -c', 'raw ws | wc -c')),
  ];
  if (base !== undefined) {
    const name = `1 KiB frames, this CLI vs ${base} (${mib} MiB)`;
    figures.push(compare('9c', name, cli['CLI | wc -c'], cli['base CLI | wc -c'], 'base CLI', { floor: 1, target: 1 }, startupOf('CLI | wc -c', 'base CLI | wc -c')));
  }
  return { figures };
}
