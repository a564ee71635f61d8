/**
 * The box's main session (`GET /v1/boxes/{boxId}/attach`, option `mainSessions`) and the listing
 * (`GET /v1/boxes/{boxId}/executions`, the runner preset only): docs/protocol.md §7, on real sockets.
 */
import { describe, expect, it } from 'vitest';
import { boxUrl, executionUrl } from '../../src/protocol/paths.js';
import { gatedRequest } from '../../src/protocol/startGate.js';
import type { RunnerEmulator, Script } from '../../src/testing/index.js';
import { auth, emulator, endpoint, getExecution, nextEvent, startExecution } from '../support/emulator.js';
import { show, tryAttachAt, type AttachResult } from './attachClient.js';

/** A session that greets, then echoes stdin until `stdin_eof`, then exits 3. */
const shell: Script = { steps: [{ stdout: 'boxlite login: ok\n' }, { echoStdin: true }, { exit: 3 }] };
const wait: Script = { steps: [{ waitMs: 60_000 }, { exit: 0 }] };

const wsBox = (em: RunnerEmulator, box: string, query = ''): string => boxUrl(endpoint(em), box, `/attach${query}`).replace(/^http/, 'ws');
const attachBox = (em: RunnerEmulator, box: string, query?: string): Promise<AttachResult> => tryAttachAt(wsBox(em, box, query), em.token);

describe('the box route (mainSessions)', () => {
  it('the 101 carries X-Boxlite-Execution-Id; that id works on GET /executions/{id} and /executions/{id}/attach', async () => {
    const em = await emulator({ mainSessions: { box1: 'shell' }, scripts: { shell } });
    const result = await attachBox(em, 'box1');
    if (result.kind !== 'open') throw new Error(`refused ${result.status}`);
    const id = result.conn.headers['x-boxlite-execution-id'];
    expect(id).toMatch(/^exec-[0-9a-f-]{36}$/);
    await result.conn.frameCount(1);
    expect(show(result.conn.frames)).toEqual(['o:boxlite login: ok\n']);
    const info = await getExecution(em, id as string, 'box1');
    expect(await info.json()).toEqual({ execution_id: id, status: 'running', command: 'shell', attached: true });
    // Held by the box route: a second attach by either route is 409.
    expect(await attachBox(em, 'box1')).toMatchObject({ kind: 'refused', status: 409 });
    expect(await tryAttachAt(executionUrl(endpoint(em), 'box1', id as string, '/attach').replace(/^http/, 'ws'), em.token)).toMatchObject({
      kind: 'refused',
      status: 409,
    });
    const released = nextEvent(em, 'slot-released', id as string);
    result.conn.ws.close();
    await released;
    const byId = await tryAttachAt(executionUrl(endpoint(em), 'box1', id as string, '/attach').replace(/^http/, 'ws'), em.token);
    if (byId.kind !== 'open') throw new Error(`refused ${byId.status}`);
    expect(byId.conn.headers['x-boxlite-execution-id']).toBeUndefined(); // only the box route announces it
    byId.conn.ws.send(Buffer.from('uptime\n'));
    byId.conn.ws.send(JSON.stringify({ type: 'stdin_eof' }));
    await byId.conn.frameCount(3);
    expect(show(byId.conn.frames)).toEqual(['o:boxlite login: ok\n', 'o:uptime\n', 'x:3']);
  });

  it('404 for a box without a main session, 409 while attached; the box route reads stdin as the executions route', async () => {
    const em = await emulator({ server: 'serve', mainSessions: { box1: 'shell' }, scripts: { shell } });
    expect(await attachBox(em, 'box2')).toEqual({
      kind: 'refused',
      status: 404,
      contentType: 'application/json',
      body: '{"error":{"message":"main session of box box2 not found","type":"NotFoundError","code":"not_found"}}',
    });
    expect(await attachBox(em, 'box1', '?stdin=maybe')).toMatchObject({ kind: 'refused', status: 400 });
    const observer = await attachBox(em, 'box1', '?stdin=false');
    if (observer.kind !== 'open') throw new Error(`refused ${observer.status}`);
    expect(observer.conn.headers['x-boxlite-execution-id']).toMatch(/^exec-/);
    expect(await attachBox(em, 'box1')).toMatchObject({ kind: 'refused', status: 409 });
    await observer.conn.frameCount(1);
    observer.conn.ws.send(Buffer.from('x'));
    expect(await observer.conn.closed).toBe(1008);
    expect(em.stats).toMatchObject({ readOnlyAttaches: 1, readOnlyStdinFrames: 1, stdinBytes: 0 });
  });

  it('the orphan reaper never signals a main session', async () => {
    const em = await emulator({ orphanGrace: { hupMs: 50, termMs: 50, killMs: 50 }, mainSessions: { box1: 'shell' }, scripts: { shell } });
    // Started with the emulator, so its clock (if it had one) would fire before the exec's.
    const exited = nextEvent(em, 'exit', undefined, 3000);
    const exec = await startExecution(em, { command: 'shell' }, 'box1');
    expect(await exited).toMatchObject({ executionId: exec });
    const listed = (await (await fetch(boxUrl(endpoint(em), 'box1', '/executions'), { headers: auth(em) })).json()) as { execution_id: string; status: string }[];
    expect(listed.map((entry) => entry.status)).toEqual(['running', 'completed']);
    expect(em.execution(exec)?.signals[0]).toBe(1);
    expect(em.execution(listed[0]!.execution_id)?.signals).toEqual([]);
  });
});

describe('the listing GET /boxes/{boxId}/executions', () => {
  const list = (em: RunnerEmulator, box: string): Promise<Response> => fetch(boxUrl(endpoint(em), box, '/executions'), { headers: auth(em) });

  it('runner: every execution of the box with execution_id, status, exit_code, command (with args; a gated exec unwrapped) and attached', async () => {
    const em = await emulator({ scripts: { shell, wait, fail: { steps: [{ stderr: 'boom\n' }, { exit: 2 }] } } });
    const waiting = await startExecution(em, { command: 'wait', args: ['--for', 'deploy 42'] }, 'box1');
    const failed = await startExecution(em, { command: 'fail' }, 'box1'); // exits before the 201
    const gated = await startExecution(em, { ...gatedRequest({ command: 'shell', args: ['-l'] }, 'n0nce')! }, 'box1');
    await startExecution(em, { command: 'wait' }, 'box2');
    const held = await tryAttachAt(executionUrl(endpoint(em), 'box1', waiting, '/attach').replace(/^http/, 'ws'), em.token);
    expect(held.kind).toBe('open');
    const res = await list(em, 'box1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual([
      { execution_id: waiting, status: 'running', command: 'wait --for deploy 42', attached: true },
      { execution_id: failed, status: 'completed', exit_code: 2, command: 'fail', attached: false },
      { execution_id: gated, status: 'running', command: 'shell -l', attached: false },
    ]);
    expect(await (await list(em, 'empty')).json()).toEqual([]);
  });

  it("serve: 404 in serve's body shape (the route does not exist there)", async () => {
    const em = await emulator({ server: 'serve', scripts: { wait } });
    await startExecution(em, { command: 'wait' }, 'box1');
    const res = await list(em, 'box1');
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('{"error":{"message":"no route for GET /v1/boxes/box1/executions","type":"NotFoundError","code":"not_found"}}');
  });
});
