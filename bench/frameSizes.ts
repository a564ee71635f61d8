/**
 * The library's CPU per frame size against raw `ws`, to choose which frames `readBatch` joins
 * (`JOIN_LIMIT`): a flood of one size through `frames1kClient.ts` in a fresh process per run (this
 * build, raw `ws`, and any other build named with `--against`), the clients of a round in rotating
 * order, medians over the rounds. Not part of `npm run bench` (about 2 minutes); needs a build.
 *
 * ```sh
 * npx tsx bench/frameSizes.ts [--rounds=5] [--sizes=16:1000000,128:250000,256:150000,1024:51200]
 *   [--against=label=/path/to/another/checkout …]   # its own build, e.g. with another JOIN_LIMIT
 * ```
 */

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StreamResult } from './clients.js';
import { startEmulatorHost, type EmulatorHost } from './emulatorHost.js';
import { median, times } from './report.js';

const flag = (name: string): string[] =>
  process.argv.filter((arg) => arg.startsWith(`--${name}=`)).map((arg) => arg.slice(name.length + 3));
const rounds = Number(flag('rounds')[0] ?? 5);
const sizes = (flag('sizes')[0] ?? '16:1000000,128:250000,256:150000,1024:51200')
  .split(',')
  .map((pair) => pair.split(':').map(Number) as [number, number]);
const here = fileURLToPath(new URL('..', import.meta.url));
/** Each client: its label, the checkout whose `bench/frames1kClient.ts` (and build) runs it, and its name there. */
const clients: { label: string; checkout: string; name: 'ws' | 'boxlite-rx' }[] = [
  { label: 'ws', checkout: here, name: 'ws' },
  { label: 'this build', checkout: here, name: 'boxlite-rx' },
  ...flag('against').map((pair) => {
    const [label = '', checkout = ''] = pair.split('=');
    return { label, checkout, name: 'boxlite-rx' as const };
  }),
];

/** One flood through one client in a fresh process: its CPU milliseconds, the bytes checked exact. */
function cpuOf(host: EmulatorHost, checkout: string, name: string, size: number, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(`${checkout}/bench/frames1kClient.ts`, [host.url, host.token, name, String(size), String(count)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (message: { type?: string; result?: StreamResult }) => {
      const { result } = message;
      if (message.type !== 'result' || result === undefined) return;
      if (result.bytes !== size * count || result.exitCode !== 0) reject(new Error(`${checkout} ${name}: ${result.bytes} of ${size * count} bytes`));
      else resolve(result.cpuMs);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${checkout} ${name} exited ${code} without a result`)));
  });
}

const host = await startEmulatorHost();
try {
  console.log(`CPU per flood, median of ${rounds} rounds (ratio: ÷ raw ws, lower is better)`);
  for (const [size, count] of sizes) {
    const cpu = clients.map(() => [] as number[]);
    for (let round = 0; round < rounds; round += 1) {
      for (let i = 0; i < clients.length; i += 1) {
        const index = (i + round) % clients.length;
        const { checkout, name } = clients[index]!;
        cpu[index]!.push(await cpuOf(host, checkout, name, size, count));
      }
    }
    const ws = median(cpu[0]!);
    const cells = clients.map(({ label }, index) => {
      const mid = median(cpu[index]!);
      return `${label} ${mid.toFixed(0)} ms (${times(mid / ws)}; ${cpu[index]!.map((ms) => ms.toFixed(0)).join(' ')})`;
    });
    console.log(`${size}-byte frames × ${count}: ${cells.join(' | ')}`);
  }
} finally {
  await host.close();
}
