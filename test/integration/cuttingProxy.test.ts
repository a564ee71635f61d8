/**
 * `startCuttingProxy` on its own, with a plain `ws` client and `fetch`: it forwards REST and
 * attach traffic byte for byte, cuts an attach right after its 101 when told to, answers with an
 * error status when told to, and leaves nothing open when closed.
 */

import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startCuttingProxy, type ProxiedAttach, type RunnerEmulator } from '../../src/testing/index.js';
import { within } from '../support/within.js';
import { emulator, nextEvent, proxy, socketsClosed, WAIT_MS } from './support.js';

const hello = { steps: [{ stdout: 'hello\n' }, { stderr: 'oops\n' }, { exit: 2 }] };

async function exec(baseUrl: string, em: RunnerEmulator, command = 'hello'): Promise<Response> {
  return fetch(`${baseUrl}/v1/boxes/box/exec`, {
    method: 'POST',
    headers: { authorization: `Bearer ${em.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command }),
  });
}

async function start(baseUrl: string, em: RunnerEmulator): Promise<string> {
  const response = await exec(baseUrl, em);
  expect(response.status).toBe(201);
  return ((await response.json()) as { execution_id: string }).execution_id;
}

/** How one raw attach went: whether it opened, the frames, the close code, or the refusal. */
interface RawAttach {
  readonly opened: boolean;
  readonly frames: readonly string[];
  readonly code: number | undefined;
  readonly status: number | undefined;
  readonly body: string;
}

/** One attach with a plain `ws` client, to its end (bounded). Frames as `o:text`, `e:text` or the JSON text. */
function rawAttach(baseUrl: string, em: RunnerEmulator, id: string): Promise<RawAttach> {
  const ended = new Promise<RawAttach>((resolve) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/boxes/box/executions/${id}/attach`, {
      headers: { authorization: `Bearer ${em.token}` },
    });
    const frames: string[] = [];
    let opened = false;
    ws.on('open', () => {
      opened = true;
    });
    ws.on('message', (data: Buffer, isBinary) => {
      frames.push(isBinary ? `${data[0] === 1 ? 'o' : 'e'}:${data.subarray(1).toString()}` : data.toString());
    });
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        ws.terminate();
        resolve({ opened, frames, code: undefined, status: res.statusCode, body });
      });
    });
    ws.on('close', (code) => {
      resolve({ opened, frames, code, status: undefined, body: '' });
    });
  });
  return within(ended, WAIT_MS, 'the attach to end');
}

describe('startCuttingProxy', () => {
  it('forwards REST calls: status, body and headers', async () => {
    const em = await emulator({ scripts: { hello } });
    const front = await proxy({ target: em.url });
    const created = await exec(front.url, em);
    expect(created.status).toBe(201);
    const { execution_id: id } = (await created.json()) as { execution_id: string };
    expect(created.headers.get('location')).toBe(`/v1/boxes/box/executions/${id}`);
    const status = await fetch(`${front.url}/v1/boxes/box/executions/${id}`, { headers: { authorization: `Bearer ${em.token}` } });
    expect(await status.json()).toMatchObject({ execution_id: id, status: 'completed', exit_code: 2 });
    const unauthorized = await fetch(`${front.url}/v1/boxes/box/executions/${id}`);
    expect(unauthorized.status).toBe(401);
    expect(front.stats).toMatchObject({ requests: 3, upgrades: 0, cuts: 0, refused: 0 });
  });

  it('cuts the first attach of each execution right after its 101 by default: no frame gets through', async () => {
    const em = await emulator({ scripts: { hello } });
    const front = await proxy({ target: em.url });
    const id = await start(front.url, em);
    const detached = nextEvent(em, 'detach', id);
    expect(await rawAttach(front.url, em, id)).toEqual({ opened: true, frames: [], code: 1006, status: undefined, body: '' });
    await detached;
    expect(await rawAttach(front.url, em, id)).toEqual({
      opened: true,
      frames: ['o:hello\n', 'e:oops\n', '{"type":"exit","exit_code":2}'],
      code: 1000,
      status: undefined,
      body: '',
    });
    await socketsClosed(em);
    expect(front.stats).toMatchObject({ upgrades: 2, cuts: 1 });
  });

  it('asks the cut callback about every accepted attach, with the execution and the attempt', async () => {
    const em = await emulator({ scripts: { hello } });
    const asked: ProxiedAttach[] = [];
    const front = await proxy({ target: em.url, cut: (attach) => asked.push(attach) === 2 });
    const id = await start(front.url, em);
    const attaches = [];
    for (let i = 0; i < 3; i += 1) {
      attaches.push((await rawAttach(front.url, em, id)).code);
      await socketsClosed(em);
      if (em.execution(id)?.attached === true) await nextEvent(em, 'slot-released', id);
    }
    expect(attaches).toEqual([1000, 1006, 1000]);
    const path = `/v1/boxes/box/executions/${id}/attach`;
    expect(asked).toEqual([0, 1, 2].map((attempt) => ({ path, executionId: id, attempt })));
  });

  it('relays a refusal of the runner (404) with its status and body', async () => {
    const em = await emulator({ scripts: { hello } });
    const front = await proxy({ target: em.url });
    const refused = await rawAttach(front.url, em, 'no-such-execution');
    expect(refused).toMatchObject({ opened: false, status: 404 });
    expect(JSON.parse(refused.body)).toEqual({ error: 'execution no-such-execution not found' });
  });

  it('answers with the status `refuse` gives, as a load balancer would, without forwarding', async () => {
    const em = await emulator({ scripts: { hello } });
    const front = await proxy({ target: em.url, refuse: ({ upgrade }) => (upgrade ? 502 : 503) });
    const rest = await exec(front.url, em);
    expect(rest.status).toBe(503);
    expect(await rest.text()).toContain('<title>503 Service Unavailable</title>');
    const upgrade = await rawAttach(front.url, em, 'any');
    expect(upgrade).toMatchObject({ opened: false, status: 502 });
    expect(upgrade.body).toContain('<title>502 Bad Gateway</title>');
    expect(front.stats).toMatchObject({ requests: 0, upgrades: 1, refused: 2 });
    expect(em.stats).toMatchObject({ restRequests: 0, attachAttempts: 0 });
  });

  it('close() ends relayed sockets, so the runner sees its attach go', async () => {
    const em = await emulator({ scripts: { tail: { steps: [{ stdout: 'tick\n' }, { waitMs: 60_000 }] } } });
    const front = await proxy({ target: em.url, cut: () => false });
    const response = await exec(front.url, em, 'tail');
    const { execution_id: id } = (await response.json()) as { execution_id: string };
    const attached = rawAttach(front.url, em, id);
    await nextEvent(em, 'attach', id);
    const detached = nextEvent(em, 'detach', id);
    await front.close();
    await front.close();
    await detached;
    expect((await attached).code).toBe(1006);
    expect(em.stats.openSockets).toBe(0);
    await expect(fetch(`${front.url}/v1/boxes/box/executions/${id}`)).rejects.toThrow();
  });

  it('refuses a target that is not a loopback http URL', async () => {
    await expect(startCuttingProxy({ target: 'http://example.com' })).rejects.toThrow(TypeError);
    await expect(startCuttingProxy({ target: 'https://127.0.0.1:1' })).rejects.toThrow(TypeError);
    await expect(startCuttingProxy({ target: 'http://127.0.0.1:1', port: 70_000 })).rejects.toThrow(RangeError);
  });
});
