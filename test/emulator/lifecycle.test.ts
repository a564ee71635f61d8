import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { attachUrl } from '../../src/protocol/paths.js';
import { OutputRing } from '../../src/testing/emulator/ring.js';
import { startRunnerEmulator, type RunnerEmulator } from '../../src/testing/index.js';
import { auth, emulator, endpoint, getExecution, nextEvent, nextEventAt, signalExecution, startExecution } from '../support/emulator.js';
import { within } from '../support/within.js';

// ----- helpers -----

/** Timers may fire up to a millisecond before `performance.now()` says they are due. */
const TIMER_SLACK_MS = 5;

/** Attaches, sends `stdin` (then stdin_eof if asked), and collects everything until the close. */
function run(
  em: RunnerEmulator,
  id: string,
  input: { stdin?: string; eof?: boolean; ms?: number } = {},
): Promise<{ stdout: string; stderr: string; texts: string[]; code: number }> {
  const ws = new WebSocket(attachUrl(endpoint(em), 'box', id), { headers: auth(em) });
  const ended = new Promise<{ stdout: string; stderr: string; texts: string[]; code: number }>((resolvePromise, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const texts: string[] = [];
    ws.on('open', () => {
      if (input.stdin !== undefined) ws.send(Buffer.from(input.stdin));
      if (input.eof === true) ws.send('{"type":"stdin_eof"}');
    });
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) texts.push(data.toString());
      else (data[0] === 1 ? out : err).push(data.subarray(1));
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      resolvePromise({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), texts, code });
    });
  });
  return within(ended, input.ms ?? 5000, 'the attach to end').finally(() => ws.terminate());
}

// ----- tests -----

describe('OutputRing', () => {
  it('drops the oldest bytes, trimming a partly dropped chunk', () => {
    const ring = new OutputRing(8);
    const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
    const text = (chunks: Uint8Array[]): string[] => chunks.map((c) => new TextDecoder().decode(c));
    expect(ring.push(bytes('abc'))).toBe(0);
    expect(ring.push(bytes('defgh'))).toBe(0);
    expect(ring.push(bytes('ij'))).toBe(2);
    expect(text(ring.snapshotChunks())).toEqual(['c', 'defgh', 'ij']);
    expect(ring.push(bytes('0123456789'))).toBe(10);
    expect(text(ring.snapshotChunks())).toEqual(['23456789']);
    expect(ring.byteLength).toBe(8);
  });

  it('always holds the last `capacity` bytes of everything pushed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 60 }), (capacity, chunks) => {
        const ring = new OutputRing(capacity);
        let total = 0;
        let dropped = 0;
        for (const chunk of chunks) {
          dropped += ring.push(chunk);
          total += chunk.length;
        }
        const all = Buffer.concat(chunks);
        const expected = all.subarray(Math.max(0, all.length - capacity));
        expect(Buffer.from(ring.snapshotBytes())).toEqual(expected);
        expect(Buffer.concat(ring.snapshotChunks())).toEqual(expected);
        expect(ring.byteLength).toBe(expected.length);
        expect(dropped).toBe(total - expected.length);
      }),
    );
  });
});

describe('retention and orphans', () => {
  it('evicts a completed execution after retentionMs: GET and attach answer 404', async () => {
    // The script ends when signalled, after the first GET: a GET racing the retention clock (80 ms
    // lost that race 2 times in 3 at load 12) would measure the machine. The retention is measured
    // between the server's own events.
    const retentionMs = 80;
    const em = await emulator({ retentionMs, scripts: { q: { steps: [{ stdout: 'x' }, { waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'q' });
    expect((await getExecution(em, id)).status).toBe(200);
    const exited = nextEventAt(em, 'exit', id);
    const evicted = nextEventAt(em, 'evicted', id);
    expect((await signalExecution(em, id, 15)).status).toBe(204);
    expect((await exited).event).toMatchObject({ exitCode: 143, status: 'completed' });
    expect((await evicted).event.reason).toBe('retention');
    expect((await evicted).at - (await exited).at).toBeGreaterThanOrEqual(retentionMs - TIMER_SLACK_MS);
    expect((await getExecution(em, id)).status).toBe(404);
    expect(em.execution(id)).toBeUndefined();
    expect(em.stats.evictions).toBe(1);
    const refused = await new Promise<number>((resolvePromise) => {
      const ws = new WebSocket(attachUrl(endpoint(em), 'box', id), { headers: auth(em) });
      ws.on('error', () => undefined);
      ws.on('unexpected-response', (req, res) => {
        resolvePromise(res.statusCode ?? 0);
        req.destroy();
      });
    });
    expect(refused).toBe(404);
  });

  it('a running execution is not evicted', async () => {
    // Running until signalled: a script of a fixed length could end (and be evicted) before the GET.
    const em = await emulator({ retentionMs: 1, scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    const evicted = nextEvent(em, 'evicted', id);
    expect((await getExecution(em, id)).status).toBe(200);
    expect(em.execution(id)?.status).toBe('running');
    expect((await signalExecution(em, id, 15)).status).toBe(204);
    await evicted;
    expect(em.execution(id)).toBeUndefined();
  });

  it('reaps an orphan script: SIGHUP after hupMs ends it with 129', async () => {
    const em = await emulator({ orphanGrace: { hupMs: 50, termMs: 50, killMs: 50 }, scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    expect(await nextEvent(em, 'signal', id)).toMatchObject({ signal: 1, source: 'orphan' });
    expect(em.execution(id)).toMatchObject({ status: 'completed', exitCode: 129, signals: [1] });
  });

  it('attaching stops the orphan clock; detaching restarts it from zero', async () => {
    const em = await emulator({ orphanGrace: { hupMs: 150 }, scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    const ws = new WebSocket(attachUrl(endpoint(em), 'box', id), { headers: auth(em) });
    await new Promise((r) => ws.once('open', r));
    // While attached, no signal comes even well past hupMs: bounded by the exit of a probe script.
    const probe = await startExecution(em, { command: 'w' }); // an orphan from the start, reaped at 150 ms
    await nextEvent(em, 'signal', probe);
    expect(em.execution(id)?.signals).toEqual([]);
    const released = nextEvent(em, 'slot-released', id);
    ws.close();
    await released;
    const t0 = performance.now();
    expect(await nextEvent(em, 'signal', id)).toMatchObject({ signal: 1, source: 'orphan' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
  });

  it('timeout_seconds ends a script as timed_out with 137', async () => {
    const em = await emulator({ scripts: { w: { steps: [{ stdout: 'a' }, { waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w', timeout_seconds: 0.1 });
    expect(await nextEvent(em, 'exit', id)).toMatchObject({ exitCode: 137, status: 'timed_out' });
    expect(await (await getExecution(em, id)).json()).toMatchObject({ status: 'timed_out', exit_code: 137 });
    expect(await run(em, id)).toEqual({ stdout: 'a', stderr: '', texts: ['{"type":"exit","exit_code":137}'], code: 1000 });
  });
});

describe('real processes (allowProcesses)', () => {
  const node = process.execPath;

  it('spawns without a shell, with args, env over process.env, cwd, and both streams', async () => {
    const em = await emulator({ allowProcesses: true });
    const cwd = realpathSync(tmpdir());
    const script = 'process.stdout.write(process.argv[1] + "|" + process.env.FOO + "|" + process.cwd() + "|" + typeof process.env.PATH); process.stderr.write("err"); process.exit(7)';
    const id = await startExecution(em, { command: node, args: ['-e', script, '$HOME'], env: { FOO: 'bar' }, working_dir: cwd });
    expect(await run(em, id)).toEqual({
      stdout: `$HOME|bar|${cwd}|string`,
      stderr: 'err',
      texts: ['{"type":"exit","exit_code":7}'],
      code: 1000,
    });
    expect(em.execution(id)).toMatchObject({ status: 'completed', exitCode: 7, stdoutBytes: Buffer.byteLength(`$HOME|bar|${cwd}|string`), stderrBytes: 3 });
  });

  it('pipes stdin and closes it on stdin_eof', async () => {
    const em = await emulator({ allowProcesses: true });
    const id = await startExecution(em, { command: node, args: ['-e', 'process.stdin.pipe(process.stdout)'] });
    expect(await run(em, id, { stdin: 'ping', eof: true })).toMatchObject({ stdout: 'ping', code: 1000 });
  });

  it('captures output produced before any attach', async () => {
    const em = await emulator({ allowProcesses: true });
    const id = await startExecution(em, { command: '/bin/echo', args: ['early bird'] });
    await nextEvent(em, 'exit', id);
    expect(await run(em, id)).toEqual({ stdout: 'early bird\n', stderr: '', texts: ['{"type":"exit","exit_code":0}'], code: 1000 });
  });

  it('signals a process; one ignoring HUP and TERM is reaped with SIGKILL (137)', async () => {
    const em = await emulator({ allowProcesses: true, orphanGrace: { hupMs: 500, termMs: 50, killMs: 50 } });
    const ready = 'process.on("SIGHUP",()=>{});process.on("SIGTERM",()=>{});process.stdout.write("ready");setInterval(()=>{},1000)';
    // Attached (clock stopped) until the handlers are installed; the clock starts on detach.
    const id = await startExecution(em, { command: node, args: ['-e', ready] });
    const ws = new WebSocket(attachUrl(endpoint(em), 'box', id), { headers: auth(em) });
    await new Promise((r) => ws.once('message', r));
    expect(em.execution(id)?.signals).toEqual([]);
    const exited = nextEvent(em, 'exit', id);
    ws.close();
    expect(await exited).toMatchObject({ exitCode: 137, status: 'completed' });
    expect(em.execution(id)?.signals).toEqual([1, 15, 9]);

    const plain = await startExecution(em, { command: node, args: ['-e', 'setInterval(()=>{},1000)'] });
    expect((await signalExecution(em, plain, 15)).status).toBe(204);
    expect(await nextEvent(em, 'exit', plain)).toMatchObject({ exitCode: 143 });
  });

  it('timeout_seconds kills a process: timed_out, 137', async () => {
    const em = await emulator({ allowProcesses: true });
    const id = await startExecution(em, { command: node, args: ['-e', 'setInterval(()=>{},1000)'], timeout_seconds: 0.2 });
    expect(await nextEvent(em, 'exit', id)).toMatchObject({ exitCode: 137, status: 'timed_out' });
  });

  it.each([
    ['runner', '/nonexistent/program', undefined, 'exec failed: failed to start execution: boxlite: internal error: spawn_failed: spawn /nonexistent/program ENOENT (code=1)'],
    ['serve', '/nonexistent/program', undefined, 'internal error: spawn_failed: spawn /nonexistent/program ENOENT'],
    ['runner', '/etc/passwd', undefined, 'exec failed: failed to start execution: boxlite: internal error: spawn_failed: spawn /etc/passwd EACCES (code=1)'],
    ['serve', process.execPath, '/nonexistent/dir', `internal error: spawn_failed: spawn ${process.execPath} ENOENT`],
  ] as const)('%s: a program that cannot start (%s, cwd %s) is a 500 spawn_failed, and nothing is created', async (server, command, cwd, message) => {
    const em = await emulator({ allowProcesses: true, server });
    const res = await fetch(`${em.url}/v1/boxes/box/exec`, {
      method: 'POST',
      headers: auth(em),
      body: JSON.stringify({ command, ...(cwd === undefined ? {} : { working_dir: cwd }) }),
    });
    expect(res.status).toBe(500);
    const body = (await res.json()) as unknown;
    expect(body).toEqual(server === 'runner' ? { error: message } : { error: { message, type: 'InternalError', code: 'internal' } });
    expect(em.stats.executions).toBe(0);
    expect(em.stats.running).toBe(0);
  });
});

describe('close()', () => {
  it('closes sockets, kills processes, and is idempotent', async () => {
    const em = await startRunnerEmulator({ allowProcesses: true, scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const scripted = await startExecution(em, { command: 'w' });
    const proc = await startExecution(em, { command: process.execPath, args: ['-e', 'setInterval(()=>{},1000)'] });
    const attached = run(em, scripted, { ms: 5000 });
    await nextEvent(em, 'attach', scripted);
    const exited = nextEvent(em, 'exit', proc);
    const closing = em.close();
    expect(em.close()).toBe(closing);
    await closing;
    expect(await exited).toMatchObject({ exitCode: 137 });
    expect((await attached).code).toBe(1006);
    expect(em.stats.openSockets).toBe(0);
    await expect(fetch(`${em.url}/v1/boxes/box/executions/${scripted}`, { headers: auth(em) })).rejects.toThrow();
  });

  it('leaves no handle behind: a process that used every feature exits on its own', { tags: ['slow/process'] }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-handles-'));
    const entry = resolve('src/testing/index.ts');
    const wsModule = resolve('node_modules/ws/wrapper.mjs');
    const file = join(dir, 'main.mts');
    writeFileSync(
      file,
      `
import { startRunnerEmulator } from ${JSON.stringify(entry)};
import WebSocket from ${JSON.stringify(wsModule)};
const em = await startRunnerEmulator({
  allowProcesses: true, pingIntervalMs: 20, orphanGrace: { hupMs: 60000 }, retentionMs: 60000,
  scripts: { w: { steps: [{ stdout: 'x' }, { waitMs: 60000 }] }, q: { steps: [{ stdout: 'y' }] } },
  faults: ({ attempt }) => (attempt === 0 ? { cut: { after: 'replay', holdSlotMs: 60000 } } : undefined),
});
const headers = { authorization: 'Bearer ' + em.token, 'content-type': 'application/json' };
const exec = async (body) => (await (await fetch(em.url + '/v1/boxes/b/exec', { method: 'POST', headers, body: JSON.stringify(body) })).json()).execution_id;
const w = await exec({ command: 'w', timeout_seconds: 60 });
await exec({ command: 'q' });
await exec({ command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] });
const attachOnce = (id) => new Promise((done) => {
  const ws = new WebSocket(em.url.replace('http', 'ws') + '/v1/boxes/b/executions/' + id + '/attach', { headers });
  ws.on('error', () => {});
  ws.on('message', () => done(ws));
  ws.on('close', () => done(ws));
});
await attachOnce(w);
const w2 = await exec({ command: 'w' });
em.setAttachFaults(w2, [undefined]);
await attachOnce(w2);
await new Promise((r) => setTimeout(r, 60));
await em.close();
console.log('closed');
`,
    );
    const tsx = resolve('node_modules/.bin/tsx');
    const child = spawn(tsx, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const exited = new Promise<number | null>((resolvePromise) => child.on('exit', (exitCode) => resolvePromise(exitCode)));
      const code = await within(exited, 15_000, () => `the process to exit on its own; output: ${output}`).finally(() => child.kill('SIGKILL'));
      expect(output.trim()).toBe('closed');
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
