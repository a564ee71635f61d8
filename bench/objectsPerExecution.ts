/**
 * Objects and bytes per execution, measured without a network and without a clock: a fake `ws`
 * socket and a fake `fetch` feed `createRunnerClient(...).exec()` (the defaults a user gets: start
 * gate on, replay shape `auto`, watchdog on), so every figure is the library's own.
 *
 * - In flight: N executions subscribed, their `POST`s answered, their sockets open and 20 output
 *   frames delivered each, none exited. A forced GC and a heap snapshot before and after give the
 *   heap bytes, the objects, the closures and the contexts each one keeps alive.
 * - Per completed execution: 1,000 executions one after another (POST, open, 20 frames, exit),
 *   after 200 unmeasured ones; a sampling heap profile that keeps what the collector freed gives
 *   the bytes allocated per execution (a statistical figure: sampled every 512 bytes).
 *
 * Usage (after `npm run build`): `npx tsx bench/objectsPerExecution.ts [dist …]`: each `dist`
 * directory (default `dist`) is measured in its own process, so one build's heap never holds
 * another's; give main's build first to print it as the baseline.
 */

import { spawnSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const IN_FLIGHT = 1_000;
/** `DETAIL=1`: the child prints what grew by type and name (the census then keeps more itself). */
const DETAIL = process.env.DETAIL !== undefined;
const SEQUENTIAL = 1_000;
const WARMUP = 200;
const FRAMES = 20;
const LINE = Buffer.from('2026-12-07T01:18:03.123Z INFO worker[3]: processed batch 000 of 500, queue depth nominal\n');

type Listener = (...args: never[]) => void;

/** A `ws`-shaped socket: `play` opens it, sends the output frames, and with `exit` the exit frame. */
class FakeSocket {
  static pending: FakeSocket[] = [];
  static auto = false;
  readyState = 0;
  private listeners: Record<string, Listener[]> = {};

  constructor(readonly url: string) {
    if (FakeSocket.auto) queueMicrotask(() => this.play(true));
    else FakeSocket.pending.push(this);
  }

  on(event: string, listener: Listener): this {
    (this.listeners[event] ??= []).push(listener);
    return this;
  }

  removeAllListeners(): this {
    this.listeners = {};
    return this;
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners[event] ?? []) (listener as (...a: unknown[]) => void)(...args);
  }

  send(): void {}

  close(): void {
    this.readyState = 3;
  }

  terminate(): void {
    this.readyState = 3;
  }

  play(exit: boolean): void {
    this.readyState = 1;
    this.emit('open');
    for (let i = 0; i < FRAMES; i += 1) {
      const frame = Buffer.allocUnsafe(LINE.length + 1);
      frame[0] = 1;
      LINE.copy(frame, 1);
      this.emit('message', frame, true);
    }
    if (exit) this.exit();
  }

  exit(): void {
    this.emit('message', Buffer.from('{"type":"exit","exit_code":0}'), false);
  }
}

let ids = 0;
const fakeFetch = async (): Promise<unknown> => ({
  status: 201,
  statusText: 'Created',
  headers: { get: (name: string) => (name === 'content-type' ? 'application/json' : null) },
  text: async () => `{"execution_id":"exec-${(ids += 1)}"}`,
});

const gc = (): void => {
  v8.setFlagsFromString('--expose-gc');
  const collect = vm.runInNewContext('gc') as () => void;
  collect();
  collect();
};

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i += 1) await new Promise((done) => setImmediate(done));
};

interface Census {
  /** Nodes by type and name, for `--detail`. */
  kinds: Map<string, number>;
  bytes: number;
  objects: number;
  closures: number;
  contexts: number;
}

/** Every node of a heap snapshot counted: all of them, closures, and contexts. */
async function census(session: Session): Promise<Census> {
  gc();
  const chunks: string[] = [];
  const onChunk = (message: { params: { chunk: string } }): void => {
    chunks.push(message.params.chunk);
  };
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const snapshot = JSON.parse(chunks.join('')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const closure = types[0].indexOf('closure');
  const result: Census = { kinds: new Map(), bytes: 0, objects: 0, closures: 0, contexts: 0 };
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    result.objects += 1;
    result.bytes += snapshot.nodes[i + sizeAt] as number;
    if (DETAIL) {
      const kind = `${types[0][snapshot.nodes[i + typeAt] as number]} ${snapshot.strings[snapshot.nodes[i + nameAt] as number]?.slice(0, 60)}`;
      result.kinds.set(kind, (result.kinds.get(kind) ?? 0) + 1);
    }
    if (snapshot.nodes[i + typeAt] === closure) result.closures += 1;
    if (snapshot.strings[snapshot.nodes[i + nameAt] as number] === 'system / Context') result.contexts += 1;
  }
  return result;
}

async function measure(dist: string): Promise<void> {
  const { createRunnerClient } = (await import(pathToFileURL(resolve(dist, 'index.js')).href)) as typeof import('../dist/index.js');
  const client = createRunnerClient({
    baseUrl: 'http://runner.test',
    token: 'bench-token',
    fetch: fakeFetch as never,
    WebSocket: FakeSocket as never,
  });
  const run = (): Promise<number> =>
    new Promise((done, fail) => {
      let bytes = 0;
      client.exec('box-1', { command: 'worker', args: ['--batch'] }).subscribe({
        next: (event) => {
          if (event.type === 'stdout') bytes += event.data.length;
          if (event.type === 'exit') done(bytes);
        },
        error: fail,
      });
    });
  const expected = FRAMES * LINE.length;
  const check = (bytes: number[]): void => {
    const wrong = bytes.filter((n) => n !== expected).length;
    if (wrong > 0) throw new Error(`${wrong} executions did not deliver ${expected} bytes`);
  };

  FakeSocket.auto = true;
  const warm: number[] = [];
  for (let i = 0; i < WARMUP; i += 1) warm.push(await run());
  check(warm);

  const session = new Session();
  session.connect();
  FakeSocket.auto = false;
  const before = await census(session);
  const results = Array.from({ length: IN_FLIGHT }, run);
  await turns(5);
  const sockets = FakeSocket.pending.splice(0);
  if (sockets.length !== IN_FLIGHT) throw new Error(`${sockets.length} sockets opened, ${IN_FLIGHT} expected`);
  for (const socket of sockets) socket.play(false);
  await turns(2);
  const during = await census(session);
  for (const socket of sockets) socket.exit();
  check(await Promise.all(results));
  sockets.length = 0;

  FakeSocket.auto = true;
  gc();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 512,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const done: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i += 1) done.push(await run());
  const { profile } = await session.post('HeapProfiler.stopSampling');
  check(done);
  const { samples } = profile as unknown as { samples: { size: number }[] };
  const allocated = samples.reduce((sum, sample) => sum + sample.size, 0);
  if (DETAIL) {
    type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] };
    const sites = new Map<string, number>();
    const walk = (node: Node): void => {
      const { functionName, url, lineNumber } = node.callFrame;
      const site = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
      sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
      for (const child of node.children) walk(child);
    };
    walk(profile.head as unknown as Node);
    for (const [site, bytes] of [...sites].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.error(String(Math.round(bytes / SEQUENTIAL)).padStart(6), site);
  }
  session.disconnect();

  const per = (n: number): string => (n / IN_FLIGHT).toFixed(1);
  if (DETAIL) {
    const grown = [...during.kinds].map(([kind, n]) => [kind, n - (before.kinds.get(kind) ?? 0)] as const);
    for (const [kind, n] of grown.filter(([, n]) => n >= IN_FLIGHT / 2).sort((a, b) => b[1] - a[1])) console.error(per(n).padStart(6), kind);
  }
  console.log(
    JSON.stringify({
      dist,
      inFlight: {
        objects: per(during.objects - before.objects),
        closures: per(during.closures - before.closures),
        contexts: per(during.contexts - before.contexts),
        bytes: per(during.bytes - before.bytes),
      },
      allocatedPerCompleted: Math.round(allocated / SEQUENTIAL),
    }),
  );
}

const args = process.argv.slice(2);
const child = args[0] === '--child';
if (child) {
  await measure(args[1] as string);
} else {
  const dists = args.length > 0 ? args : ['dist'];
  console.log(
    `objects per execution: ${IN_FLIGHT} in flight (${FRAMES} frames of ${LINE.length} bytes each, not exited), then ${SEQUENTIAL} completed one after another; fake socket and fetch, no network`,
  );
  const rows: string[] = [];
  for (const dist of dists) {
    const out = spawnSync(process.execPath, [...process.execArgv, process.argv[1] as string, '--child', dist], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`${dist}: ${out.stderr}`);
    const line = out.stdout.trim().split('\n').at(-1) as string;
    const r = JSON.parse(line) as { inFlight: Record<string, string>; allocatedPerCompleted: number };
    rows.push(
      `${dist.padEnd(28)} in flight: ${r.inFlight.objects} objects (${r.inFlight.closures} closures, ${r.inFlight.contexts} contexts), ${r.inFlight.bytes} bytes; allocated per completed execution: ${r.allocatedPerCompleted} bytes`,
    );
  }
  for (const row of rows) console.log(row);
}
