/**
 * `npx tsx bench/slowReader.ts [--mib=1024] [--sleep=5] [--pace-ms=20]` (after `npm run build`):
 * the CLI's slow-reader figure. A real process writes MiB number i filled with byte i % 251, one
 * MiB every `pace` ms, through the emulator (in this process, real processes allowed) to the
 * built CLI, whose stdout is a pipe to `sha256sum`: once at once (the baseline, a reader that
 * keeps up), once after `sleep` seconds. Prints, for both: bytes exact, the emulator's dropped
 * chunks, the CLI's peak RSS, the time to the reader's answer; and their ratios.
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startRunnerEmulator, type RunnerEmulator } from '../dist/testing.js';

const MIB = 1024 * 1024;
const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const mib = arg('mib', 1024);
const sleepSeconds = arg('sleep', 5);
const paceMs = arg('pace-ms', 20);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const producer = `let i = 0;
const t = setInterval(() => {
  process.stdout.write(Buffer.alloc(${MIB}, i % 251));
  if (++i === ${mib}) clearInterval(t);
}, ${paceMs});`;

function expectedHash(): string {
  const hash = createHash('sha256');
  for (let i = 0; i < mib; i += 1) hash.update(Buffer.alloc(MIB, i % 251));
  return hash.digest('hex');
}

interface Run {
  readonly exact: boolean;
  readonly exitCode: number | null;
  readonly dropped: number;
  readonly peakRssMib: number;
  readonly seconds: number;
}

async function run(em: RunnerEmulator, readerSleep: number, expected: string): Promise<Run> {
  const dropsBefore = em.stats.droppedChunks;
  const started = performance.now();
  const reader = spawn('sh', ['-c', `sleep ${readerSleep}; sha256sum`], { stdio: ['pipe', 'pipe', 'inherit'] });
  let answer = '';
  reader.stdout.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  const cli = spawn(process.execPath, [...(process.env.BENCH_CLI_ARGS ? process.env.BENCH_CLI_ARGS.split(" ") : []), CLI, 'exec', '--url', em.url, '--token', em.token, 'box-1', '--', process.execPath, '-e', producer], {
    stdio: ['ignore', reader.stdin, 'inherit'],
  });
  reader.stdin.destroy();
  let peakKib = 0;
  const poll = setInterval(() => {
    try {
      peakKib = Math.max(peakKib, Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${cli.pid}/status`, 'utf8'))?.[1] ?? 0));
    } catch {
      clearInterval(poll);
    }
  }, 20);
  const exitCode = await new Promise<number | null>((resolve) => cli.on('close', resolve));
  clearInterval(poll);
  await new Promise((resolve) => reader.on('close', resolve));
  return {
    exact: answer.startsWith(expected),
    exitCode,
    dropped: em.stats.droppedChunks - dropsBefore,
    peakRssMib: peakKib / 1024,
    seconds: (performance.now() - started) / 1000,
  };
}

const expected = expectedHash();
const em = await startRunnerEmulator({ allowProcesses: true });
try {
  console.log(`slow reader: ${mib} MiB at one MiB per ${paceMs} ms, reader asleep ${sleepSeconds} s; CLI default --output-memory (4M)`);
  const fast = await run(em, 0, expected);
  const slow = await run(em, sleepSeconds, expected);
  for (const [name, r] of [['reader keeps up (baseline)', fast], [`reader sleeps ${sleepSeconds} s`, slow]] as const) {
    console.log(
      `${name.padEnd(28)} exact ${r.exact} exit ${r.exitCode} dropped ${r.dropped} peak RSS ${r.peakRssMib.toFixed(0)} MiB time ${r.seconds.toFixed(1)} s`,
    );
  }
  console.log(
    `ratios slow/baseline: time ${(slow.seconds / fast.seconds).toFixed(2)}×, peak RSS ${(slow.peakRssMib / fast.peakRssMib).toFixed(2)}× ` +
      `(+${(slow.peakRssMib - fast.peakRssMib).toFixed(0)} MiB; bound: --output-memory per stream)`,
  );
} finally {
  await em.close();
}
