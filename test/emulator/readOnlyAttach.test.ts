/**
 * Read-only attach (docs/protocol.md §7): each server's reading of the attach query `stdin`, on real
 * sockets with a raw `ws` client. `serve` keeps the single slot and refuses writes (error frame, and
 * Close 1008 for a stdin frame); `runner` reads only `false`, takes no slot and ignores stdin frames;
 * `ignored` attaches as usual. The server's counters prove an observer's writes never reached the command.
 */
import { describe, expect, it } from 'vitest';
import { attachUrl } from '../../src/protocol/paths.js';
import type { RunnerEmulator, Script } from '../../src/testing/index.js';
import { emulator, endpoint, nextEvent, startExecution } from '../support/emulator.js';
import { within } from '../support/within.js';
import { show, tryAttachAt, type AttachResult, type Conn } from './attachClient.js';

/** Writes a line, then echoes stdin (log lines, UTF-8) until `stdin_eof`, then exits 0. */
const echo: Script = { steps: [{ stdout: 'ready: état prêt\n' }, { echoStdin: true }, { exit: 0 }] };

const attachQ = (em: RunnerEmulator, id: string, stdin: string | undefined): Promise<AttachResult> =>
  tryAttachAt(`${attachUrl(endpoint(em), 'box', id)}${stdin === undefined ? '' : `?stdin=${stdin}`}`, em.token);

async function open(em: RunnerEmulator, id: string, stdin: string | undefined): Promise<Conn> {
  const result = await attachQ(em, id, stdin);
  if (result.kind !== 'open') throw new Error(`attach ?stdin=${stdin} refused with ${result.status}: ${result.body}`);
  return result.conn;
}

const READ_ONLY_ERROR = (what: string): string =>
  `{"type":"error","code":"read_only_attach","message":"read-only attach rejected a write: ${what}"}`;

/** A frame that proves the socket still works after a refusal: the echo of the writer's line. */
const LINE = '2026-12-06T22:00:00Z INFO request handled in 3 ms\n';

describe("readOnlyAttach 'serve' (boxlite serve, the serve preset's default)", () => {
  const start = async (): Promise<{ em: RunnerEmulator; id: string }> => {
    const em = await emulator({ server: 'serve', scripts: { echo } });
    return { em, id: await startExecution(em, { command: 'echo' }) };
  };

  it('stdin=bogus: 400 invalid_argument in serve\'s body shape, nothing attached', async () => {
    const { em, id } = await start();
    expect(await attachQ(em, id, 'bogus')).toEqual({
      kind: 'refused',
      status: 400,
      contentType: 'application/json',
      body: '{"error":{"message":"stdin must be one of 0, 1, false, true; got bogus","type":"InvalidArgumentError","code":"invalid_argument"}}',
    });
    expect(em.stats).toMatchObject({ attaches: 0, attachAttempts: 0, readOnlyAttaches: 0 });
  });

  it.each(['false', '0'])('stdin=%s is read-only and keeps the single slot: a writer gets 409, and an observer after a writer too', async (value) => {
    const { em, id } = await start();
    const observer = await open(em, id, value);
    await observer.frameCount(1);
    expect(show(observer.frames)).toEqual(['o:ready: état prêt\n']);
    expect(await attachQ(em, id, undefined)).toMatchObject({ kind: 'refused', status: 409 });
    expect(await attachQ(em, id, '1')).toMatchObject({ kind: 'refused', status: 409 });
    expect(em.execution(id)?.attached).toBe(true);
    const released = nextEvent(em, 'slot-released', id);
    observer.ws.close();
    await released;
    const writer = await open(em, id, '1');
    expect(await attachQ(em, id, value)).toMatchObject({ kind: 'refused', status: 409 });
    writer.ws.send(Buffer.from(LINE));
    await writer.frameCount(2);
    expect(show(writer.frames)).toEqual(['o:ready: état prêt\n', `o:${LINE}`]);
    expect(em.stats).toMatchObject({ readOnlyAttaches: 1, rejected409: 3, readOnlyStdinFrames: 0 });
  });

  it('a stdin frame on a read-only socket: the error frame, then Close 1008 "read-only attach"; nothing reaches the command', async () => {
    const { em, id } = await start();
    const observer = await open(em, id, 'false');
    await observer.frameCount(1);
    const reason = new Promise<string>((resolve) => observer.ws.on('close', (_code, why) => resolve(why.toString('utf8'))));
    observer.ws.send(Buffer.from('rm -rf /\n'));
    expect(await within(observer.closed, 3000, 'close')).toBe(1008);
    expect(await reason).toBe('read-only attach');
    expect(observer.frames.map((frame) => (frame.binary ? `bin:${frame.data.toString('utf8')}` : frame.text))).toEqual([
      'bin:\u0001ready: état prêt\n',
      READ_ONLY_ERROR('stdin'),
    ]);
    expect(em.execution(id)).toMatchObject({ stdinBytes: 0, stdinClosed: false });
    expect(em.stats).toMatchObject({ readOnlyStdinFrames: 1, stdinBytes: 0 });
  });

  it('resize, signal and stdin_eof on a read-only socket: the error frame each, the socket stays open, none acts', async () => {
    const em = await emulator({ server: 'serve', scripts: { echo: { ...echo, tty: true } } });
    const id = await startExecution(em, { command: 'echo' });
    const observer = await open(em, id, '0');
    await observer.frameCount(1);
    observer.ws.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    observer.ws.send(JSON.stringify({ type: 'signal', sig: 2 }));
    observer.ws.send(JSON.stringify({ type: 'stdin_eof' }));
    await observer.frameCount(4);
    expect(observer.frames.slice(1).map((frame) => (frame.binary ? 'binary' : frame.text))).toEqual([
      READ_ONLY_ERROR('resize'),
      READ_ONLY_ERROR('signal'),
      READ_ONLY_ERROR('stdin_eof'),
    ]);
    expect(observer.ws.readyState).toBe(observer.ws.OPEN);
    expect(em.execution(id)).toMatchObject({ size: undefined, signals: [], stdinClosed: false, status: 'running' });
    expect(em.stats).toMatchObject({ readOnlyResizes: 1, readOnlySignals: 1, readOnlyStdinEofs: 1, readOnlyStdinFrames: 0 });
  });
});

describe("readOnlyAttach 'runner' (the newer runner, the runner preset's default)", () => {
  it('stdin=false takes no slot: a writer and two observers side by side, each gets its own replay and the live output exactly', async () => {
    const em = await emulator({ scripts: { echo } });
    const id = await startExecution(em, { command: 'echo' });
    const first = await open(em, id, 'false');
    const writer = await open(em, id, undefined);
    const second = await open(em, id, 'false');
    expect(await attachQ(em, id, '0')).toMatchObject({ kind: 'refused', status: 409 }); // 0 is a writer here
    for (const conn of [first, writer, second]) await conn.frameCount(1);
    writer.ws.send(Buffer.from(LINE));
    writer.ws.send(Buffer.from('ligne 2: ✓\n'));
    const expected = ['o:ready: état prêt\n', `o:${LINE}`, 'o:ligne 2: ✓\n'];
    for (const conn of [first, writer, second]) {
      await conn.frameCount(3);
      expect(Buffer.concat(conn.frames.map((frame) => (frame.binary ? frame.data.subarray(1) : Buffer.from('?')))).toString('utf8')).toBe(
        expected.map((line) => line.slice(2)).join(''),
      );
    }
    expect(em.stats).toMatchObject({ readOnlyAttaches: 2, rejected409: 1, stdinBytes: LINE.length + Buffer.byteLength('ligne 2: ✓\n') });
  });

  it('an observer\'s stdin frames are ignored (counted), its stdin_eof refused with the error frame; resize and signal are honoured', async () => {
    const em = await emulator({ scripts: { echo: { ...echo, tty: true } } });
    const id = await startExecution(em, { command: 'echo' });
    const observer = await open(em, id, 'false');
    await observer.frameCount(1);
    observer.ws.send(Buffer.from('typed by the observer\n'));
    observer.ws.send(JSON.stringify({ type: 'stdin_eof' }));
    await observer.frameCount(2);
    expect(observer.frames[1]).toEqual({ binary: false, text: READ_ONLY_ERROR('stdin_eof') });
    observer.ws.send(JSON.stringify({ type: 'resize', cols: 120, rows: 40 }));
    const signalled = nextEvent(em, 'signal', id);
    observer.ws.send(JSON.stringify({ type: 'signal', sig: 28 }));
    expect(await signalled).toMatchObject({ signal: 28, source: 'attach' });
    expect(em.execution(id)).toMatchObject({ size: { cols: 120, rows: 40 }, signals: [28], stdinBytes: 0, stdinClosed: false });
    expect(observer.ws.readyState).toBe(observer.ws.OPEN);
    expect(em.stats).toMatchObject({ readOnlyStdinFrames: 1, readOnlyStdinEofs: 1, readOnlyResizes: 1, readOnlySignals: 1, stdinBytes: 0 });
  });

  it('an observer does not pause the orphan clock; a serve observer (it holds the slot) does', async () => {
    const grace = { hupMs: 150, termMs: 60_000, killMs: 60_000 };
    const runner = await emulator({ orphanGrace: grace, scripts: { echo } });
    const runnerId = await startExecution(runner, { command: 'echo' });
    const hup = nextEvent(runner, 'signal', runnerId, 3000);
    await open(runner, runnerId, 'false');
    expect(await hup).toMatchObject({ signal: 1, source: 'orphan' });

    const serve = await emulator({ server: 'serve', orphanGrace: grace, scripts: { echo } });
    const serveId = await startExecution(serve, { command: 'echo' });
    const held = await open(serve, serveId, 'false');
    await held.frameCount(1);
    // The runner's clock above ran 150 ms after its observer attached; this one, held, must not.
    const other = await startExecution(serve, { command: 'echo' });
    await nextEvent(serve, 'signal', other, 3000);
    expect(serve.execution(serveId)?.signals).toEqual([]);
  });

  it("the attach events carry the query's stdin as sent and readOnly where it was read so", async () => {
    const em = await emulator({ scripts: { echo } });
    const id = await startExecution(em, { command: 'echo' });
    const events: unknown[] = [];
    em.events.subscribe((event) => {
      if (event.type === 'attach') events.push(event);
    });
    await open(em, id, 'false');
    await open(em, id, undefined);
    await attachQ(em, id, '0');
    expect(events).toEqual([
      { type: 'attach', executionId: id, attempt: 0, status: 101, stdin: 'false', readOnly: true },
      { type: 'attach', executionId: id, attempt: 1, status: 101 },
      { type: 'attach', executionId: id, attempt: 2, status: 409, stdin: '0' },
    ]);
  });

  it('stdin=0, stdin=1 and stdin=bogus are writable attaches', async () => {
    const em = await emulator({ scripts: { echo } });
    for (const value of ['0', '1', 'bogus']) {
      const id = await startExecution(em, { command: 'echo' });
      const writer = await open(em, id, value);
      expect(await attachQ(em, id, undefined)).toMatchObject({ kind: 'refused', status: 409 });
      writer.ws.send(Buffer.from(LINE));
      await writer.frameCount(2);
      expect(show(writer.frames)).toEqual(['o:ready: état prêt\n', `o:${LINE}`]);
    }
    expect(em.stats.readOnlyAttaches).toBe(0);
  });
});

describe("readOnlyAttach 'ignored' (older runners)", () => {
  it.each(['false', '0', '1', 'bogus'])('stdin=%s is a normal attach: it takes the slot and its stdin reaches the command', async (value) => {
    const em = await emulator({ readOnlyAttach: 'ignored', scripts: { echo } });
    const id = await startExecution(em, { command: 'echo' });
    const conn = await open(em, id, value);
    expect(await attachQ(em, id, 'false')).toMatchObject({ kind: 'refused', status: 409 });
    conn.ws.send(Buffer.from(LINE));
    await conn.frameCount(2);
    expect(show(conn.frames)).toEqual(['o:ready: état prêt\n', `o:${LINE}`]);
    expect(em.stats).toMatchObject({ readOnlyAttaches: 0, stdinBytes: LINE.length });
  });

  it('overrides the preset: serve with the runner reading lets an observer beside a writer', async () => {
    const em = await emulator({ server: 'serve', readOnlyAttach: 'runner', scripts: { echo } });
    const id = await startExecution(em, { command: 'echo' });
    await open(em, id, undefined);
    await open(em, id, 'false');
    expect(em.stats).toMatchObject({ readOnlyAttaches: 1, rejected409: 0 });
  });
});

describe('readOnlyAttach and mainSessions options', () => {
  it('are checked like every option', async () => {
    await expect(emulator({ readOnlyAttach: 'never' as 'serve' })).rejects.toThrow(
      new TypeError("startRunnerEmulator: readOnlyAttach must be 'serve', 'runner' or 'ignored', got never"),
    );
    await expect(emulator({ mainSessions: { box1: 'missing' } })).rejects.toThrow(
      new RangeError('startRunnerEmulator: mainSessions.box1 must be the name of a script, got missing'),
    );
    await expect(emulator({ mainSessions: ['x'] as unknown as Record<string, string> })).rejects.toThrow(TypeError);
  });
});
