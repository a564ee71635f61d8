/**
 * What one REST call costs the client in Node: the status probe (`GET /executions/{id}`, on the
 * path of every resume) through the library's default in Node (`nodeFetch`: `node:http` with the
 * global agent) against the global `fetch` (undici), on a kept-alive connection to the emulator
 * process, and an attach upgrade (`ws`) beside them for scale. Client CPU, the emulator's CPU and
 * wall time per call, medians over interleaved rounds. Not part of `npm run bench` (about 20 s).
 *
 * ```sh
 * npx tsx bench/restCalls.ts [--calls=300] [--rounds=3]
 * ```
 */

import WebSocket from 'ws';
import { nodeFetch } from '../src/transport/nodeFetch.js';
import { BOX, postExec } from './clients.js';
import { startEmulatorHost } from './emulatorHost.js';
import { median, times } from './report.js';
import { tickerRequest } from './ticker.js';

const flag = (name: string, fallback: number): number =>
  Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const calls = flag('calls', 300);
const rounds = flag('rounds', 3);

const host = await startEmulatorHost();
try {
  const target = { url: host.url, token: host.token };
  const id = await postExec(target, tickerRequest({ count: 100_000, intervalMs: 50, cuts: 0, linesPerAttach: 1 }));
  const statusUrl = `${host.url}/v1/boxes/${BOX}/executions/${id}`;
  const headers = { accept: 'application/json', authorization: `Bearer ${host.token}` };
  const signal = new AbortController().signal;
  const viaNode = await nodeFetch();
  const ways: Record<string, () => Promise<unknown>> = {
    'global fetch': async () => (await fetch(statusUrl, { headers, signal })).text(),
    'nodeFetch (the default in Node)': async () => (await viaNode(statusUrl, { method: 'GET', headers, signal })).text(),
    'ws upgrade (for scale)': () =>
      new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(`${statusUrl.replace('http', 'ws')}/attach`, { headers });
        socket.on('open', () => {
          socket.terminate();
          resolve();
        });
        socket.on('error', reject);
      }),
  };
  const names = Object.keys(ways);
  const per: Record<string, { client: number[]; server: number[]; wall: number[] }> = {};
  for (const name of names) per[name] = { client: [], server: [], wall: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < names.length; i += 1) {
      const name = names[(i + round) % names.length] as string;
      const call = ways[name] as () => Promise<unknown>;
      for (let n = 0; n < 20; n += 1) await call();
      const count = name.startsWith('ws') ? Math.ceil(calls / 2) : calls;
      const cpu = process.cpuUsage();
      const serverBefore = (await host.stats()).cpuMs;
      const started = performance.now();
      for (let n = 0; n < count; n += 1) await call();
      const wall = (performance.now() - started) / count;
      const used = process.cpuUsage(cpu);
      const record = per[name] as { client: number[]; server: number[]; wall: number[] };
      record.client.push((used.user + used.system) / 1000 / count);
      record.server.push(((await host.stats()).cpuMs - serverBefore) / count);
      record.wall.push(wall);
    }
  }
  const fetchClient = median(per['global fetch']!.client);
  console.log(`per call, medians of ${rounds} rounds of ${calls} calls (the upgrade: ${Math.ceil(calls / 2)}); ratio: client CPU ÷ the global fetch's`);
  for (const name of names) {
    const { client, server, wall } = per[name]!;
    console.log(
      `  ${name}: client CPU ${median(client).toFixed(3)} ms (${times(median(client) / fetchClient)}), emulator CPU ${median(server).toFixed(3)} ms, wall ${median(wall).toFixed(3)} ms`,
    );
  }
} finally {
  await host.close();
}
