/**
 * Figure 6b: a fast producer. A real process (the emulator's `allowProcesses`) writes log lines
 * far faster than any client reads: `seq` prints `lines` numbered lines sharing a long ending, and
 * the emulator reads them 1 KiB at a time, unpaced, and drops a chunk that finds the client's queue
 * full, as the runner does (the bench emulator's `processReadsPerMs: 'unpaced'`,
 * `processQueueFull: 'drop'`). boxlite-rx `exec` and a raw `ws` client (paying the same start
 * gate) run it in interleaved rounds (A B, B A, …); each run counts the chunks and bytes the
 * emulator dropped meanwhile (its stats). Medians over the rounds; the target: boxlite-rx's
 * dropped bytes ≤ raw ws's.
 *
 * Each run's stdout is checked, for both clients: byte for byte where nothing was dropped; where
 * something was, the drop is the server's and silent by the protocol, so what arrived must be what
 * `seq` wrote with exactly the dropped bytes left out, in order (`inOrder.ts`).
 */

import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { createRunnerClient, type ExecRequest } from '../dist/index.js';
import { attachUrl, BOX, postExec, startGate } from './clients.js';
import type { BenchContext } from './config.js';
import { inOrder, type InOrder } from './inOrder.js';
import { fixed, median, type Figure } from './report.js';

/** The ending every line shares, after its number. */
const ENDING = ' 2026-12-07T01:00:00.000Z INFO worker-3 request handled path=/v1/boxes/bench-box/exec status=200 duration_ms=12';

/** `seq` printing `lines` numbered log lines. */
export function producerRequest(lines: number): ExecRequest {
  return { command: 'seq', args: ['-f', `%.0f${ENDING}`, '1', String(lines)] };
}

/** The exact stdout of `producerRequest(lines)`, its SHA-256 and length. */
function expected(lines: number): { readonly text: Buffer; readonly sha256: string; readonly bytes: number } {
  const parts: string[] = [];
  for (let i = 1; i <= lines; i += 1) parts.push(`${i}${ENDING}\n`);
  const text = Buffer.from(parts.join(''));
  return { text, sha256: createHash('sha256').update(text).digest('hex'), bytes: text.length };
}

/** What one client's run received. */
interface Received {
  readonly sha256: string;
  readonly bytes: number;
  readonly exitCode: number;
  /** `output-lost` notices (boxlite-rx only). */
  readonly lossNotices: number;
  /** Whether what arrived is a subsequence of what `seq` wrote, and how many of its bytes did not arrive. */
  readonly inOrder: boolean;
  readonly missing: number;
}

/** One run: what was received, and what the emulator dropped meanwhile. */
interface Run extends Received {
  readonly droppedChunks: number;
  readonly droppedBytes: number;
}

type Client = (request: ExecRequest, written: Buffer) => Promise<Received>;

/** Hashes stdout as it arrives, and checks it against `written` in order. */
function meter(written: Buffer): { data(chunk: Uint8Array): void; end(exitCode: number, lossNotices?: number): Received } {
  const hash = createHash('sha256');
  const order: InOrder = inOrder(written);
  let bytes = 0;
  return {
    data(chunk) {
      hash.update(chunk);
      order.data(chunk);
      bytes += chunk.length;
    },
    end: (exitCode, lossNotices = 0) => ({ sha256: hash.digest('hex'), bytes, exitCode, lossNotices, inOrder: order.ok, missing: order.missing }),
  };
}

/** boxlite-rx `exec`, as users run it. */
function library(ctx: BenchContext): Client {
  const client = createRunnerClient({ baseUrl: ctx.host.url, token: ctx.host.token });
  return (request, written) =>
    new Promise((resolve, reject) => {
      const out = meter(written);
      let lossNotices = 0;
      client.exec(BOX, request).subscribe({
        next(event) {
          if (event.type === 'stdout') out.data(event.data);
          else if (event.type === 'notice' && event.kind === 'output-lost') lossNotices += 1;
          else if (event.type === 'exit') resolve(out.end(event.exitCode, lossNotices));
        },
        error: reject,
      });
    });
}

/** A raw `ws` client behind the same start gate, hashing stdout payloads until the exit frame. */
function rawWs(ctx: BenchContext): Client {
  const headers = { authorization: `Bearer ${ctx.host.token}` };
  return async (request, written) => {
    const gate = startGate(request);
    const id = await postExec(ctx.host, gate.request);
    return new Promise((resolve, reject) => {
      const out = meter(written);
      const ws = new WebSocket(attachUrl(ctx.host, id), { headers });
      ws.on('open', () => ws.send(Buffer.from(gate.line)));
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) {
          if (data[0] === 1) out.data(data.subarray(1));
          return;
        }
        const message = JSON.parse(data.toString('utf8')) as { type?: string; exit_code?: number };
        if (message.type !== 'exit') return;
        resolve(out.end(message.exit_code ?? Number.NaN));
        ws.close();
      });
      ws.on('error', reject);
      ws.on('close', () => reject(new Error('ws: closed before the exit frame')));
    });
  };
}

/** Runs figure 6b. */
export async function fastProducer(ctx: BenchContext): Promise<{ figures: Figure[] }> {
  const { lines, rounds } = ctx.config.fastProducer;
  const want = expected(lines);
  const request = producerRequest(lines);
  ctx.log(`6b. fast producer: seq writes ${lines} log lines (${fixed(want.bytes / 2 ** 20, 1)} MiB) into unpaced 1 KiB reads that drop on a full queue, ${rounds} interleaved rounds (medians)`);
  const clients: Record<'boxlite-rx' | 'ws', Client> = { 'boxlite-rx': library(ctx), ws: rawWs(ctx) };
  const runs: Record<'boxlite-rx' | 'ws', Run[]> = { 'boxlite-rx': [], ws: [] };
  for (let i = 0; i < rounds; i += 1) {
    for (const name of i % 2 === 0 ? (['ws', 'boxlite-rx'] as const) : (['boxlite-rx', 'ws'] as const)) {
      const before = await ctx.host.stats();
      const start = performance.now();
      const received = await clients[name](request, want.text);
      const ms = performance.now() - start;
      const after = await ctx.host.stats();
      const run = { ...received, droppedChunks: after.droppedChunks - before.droppedChunks, droppedBytes: after.droppedBytes - before.droppedBytes };
      runs[name].push(run);
      const exact = run.sha256 === want.sha256 && run.bytes === want.bytes;
      ctx.log(
        `  round ${i + 1} ${name.padEnd(10)} received ${run.bytes} of ${want.bytes} bytes (${exact ? 'exact' : 'NOT exact'}), exit ${run.exitCode}, ${fixed(ms, 0)} ms; ` +
          `emulator dropped ${run.droppedChunks} chunks, ${run.droppedBytes} bytes; received in order: ${run.inOrder ? 'yes' : 'NO'}, missing ${run.missing} bytes; output-lost notices ${run.lossNotices}`,
      );
    }
  }
  /**
   * Runs that break the checks: an exit other than 0; inexact without a drop; with one, bytes out of
   * order, repeated, or missing other than exactly the bytes the server dropped.
   */
  const broken = (name: 'boxlite-rx' | 'ws'): number =>
    runs[name].filter((r) => r.exitCode !== 0 || (r.droppedBytes === 0 ? r.sha256 !== want.sha256 || r.bytes !== want.bytes : !r.inOrder || r.missing !== r.droppedBytes)).length;
  const med = (name: 'boxlite-rx' | 'ws', key: 'droppedChunks' | 'droppedBytes'): number => median(runs[name].map((r) => r[key]));
  const ours = med('boxlite-rx', 'droppedBytes');
  const theirs = med('ws', 'droppedBytes');
  const exact = (name: 'boxlite-rx' | 'ws'): number => runs[name].filter((r) => r.sha256 === want.sha256 && r.bytes === want.bytes).length;
  const total = (name: 'boxlite-rx' | 'ws'): number => runs[name].reduce((sum, r) => sum + r.droppedBytes, 0);
  ctx.log(`  exact runs: boxlite-rx ${exact('boxlite-rx')}/${rounds}, ws ${exact('ws')}/${rounds}; runs breaking the checks: boxlite-rx ${broken('boxlite-rx')}, ws ${broken('ws')}`);
  ctx.log(`  dropped bytes over all rounds: boxlite-rx ${total('boxlite-rx')}, ws ${total('ws')}`);
  return {
    figures: [
      {
        id: '6b',
        name: `Fast producer (${fixed(want.bytes / 2 ** 20, 1)} MiB of log lines): emulator dropped, median chunks / bytes`,
        ours: `${med('boxlite-rx', 'droppedChunks')} / ${ours} (${exact('boxlite-rx')}/${rounds} runs exact)`,
        baseline: `${med('ws', 'droppedChunks')} / ${theirs} ws (${exact('ws')}/${rounds} runs exact)`,
        ratio: theirs === 0 ? (ours === 0 ? '0 = 0' : `${ours} > 0`) : fixed(ours / theirs, 2),
        target: '≤ ws; exact where none dropped, else the rest in order',
        met: ours <= theirs && broken('boxlite-rx') === 0,
        values: {
          droppedBytes: ours,
          baselineDroppedBytes: theirs,
          droppedChunks: med('boxlite-rx', 'droppedChunks'),
          baselineDroppedChunks: med('ws', 'droppedChunks'),
          exactRuns: exact('boxlite-rx'),
          baselineExactRuns: exact('ws'),
          brokenRuns: broken('boxlite-rx'),
          baselineBrokenRuns: broken('ws'),
          totalDroppedBytes: total('boxlite-rx'),
          baselineTotalDroppedBytes: total('ws'),
          rounds,
          expectedBytes: want.bytes,
        },
      },
    ],
  };
}
