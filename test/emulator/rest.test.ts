import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { boxUrl, executionUrl, type EndpointBase } from '../../src/protocol/paths.js';
import { startRunnerEmulator, type RunnerEmulator } from '../../src/testing/index.js';
import { emulator, nextEvent } from '../support/emulator.js';

// ----- helpers -----

function rest(em: RunnerEmulator, token: string | null = em.token) {
  const base: EndpointBase = { baseUrl: em.url, pathPrefix: em.pathPrefix };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const send = (url: string, method: string, body?: unknown): Promise<Response> =>
    fetch(url, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return {
    exec: (box: string, body: unknown) => send(boxUrl(base, box, '/exec'), 'POST', body),
    start: async (box: string, body: unknown): Promise<string> => {
      const res = await send(boxUrl(base, box, '/exec'), 'POST', body);
      expect(res.status).toBe(201);
      return ((await res.json()) as { execution_id: string }).execution_id;
    },
    get: (box: string, id: string) => send(executionUrl(base, box, id), 'GET'),
    del: (box: string, id: string) => send(executionUrl(base, box, id), 'DELETE'),
    signal: (box: string, id: string, body: unknown) => send(executionUrl(base, box, id, '/signal'), 'POST', body),
    resize: (box: string, id: string, body: unknown) => send(executionUrl(base, box, id, '/resize'), 'POST', body),
  };
}

const waitingScript = { steps: [{ stdout: 'out' }, { waitMs: 60_000 }] } as const;
const quickScript = { steps: [{ stdout: 'hi' }, { exit: 3 }] } as const;

// ----- tests -----

describe('REST happy paths', () => {
  it('POST /exec answers 201 with execution_id and a Location, GET reports running then completed', async () => {
    const em = await emulator({ scripts: { wait: waitingScript, quick: quickScript } });
    const api = rest(em);
    const res = await api.exec('box-1', { command: 'wait' });
    expect(res.status).toBe(201);
    const { execution_id: id } = (await res.json()) as { execution_id: string };
    expect(id).toMatch(/^exec-/);
    expect(res.headers.get('location')).toBe(`/v1/boxes/box-1/executions/${id}`);

    const running = await api.get('box-1', id);
    expect(running.status).toBe(200);
    expect(await running.json()).toEqual({ execution_id: id, status: 'running', command: 'wait', attached: false });

    const quick = await api.start('box-1', { command: 'quick' });
    const done = (await (await api.get('box-1', quick)).json()) as Record<string, unknown>;
    expect(done).toMatchObject({ execution_id: quick, status: 'completed', exit_code: 3 });
    expect(em.stats.executions).toBe(2);
    expect(em.stats.running).toBe(1);
  });

  it('DELETE kills and evicts: 204, then 404', async () => {
    const em = await emulator({ scripts: { wait: waitingScript } });
    const api = rest(em);
    const id = await api.start('b', { command: 'wait' });
    const exited = nextEvent(em, 'exit', id);
    expect((await api.del('b', id)).status).toBe(204);
    expect(await exited).toMatchObject({ exitCode: 137, status: 'killed' });
    expect((await api.get('b', id)).status).toBe(404);
    expect((await api.del('b', id)).status).toBe(404);
    expect(em.execution(id)).toBeUndefined();
  });

  it('signal: 204 whitelisted, 400 not whitelisted or malformed, 404 unknown, 409 not running', async () => {
    const em = await emulator({ scripts: { wait: waitingScript } });
    const api = rest(em);
    const id = await api.start('b', { command: 'wait' });
    expect((await api.signal('b', id, { signal: 9 })).status).toBe(400);
    expect((await api.signal('b', id, { signal: 99 })).status).toBe(400);
    expect((await api.signal('b', id, { signal: 'TERM' })).status).toBe(400);
    expect((await api.signal('b', id, { signal: 28 })).status).toBe(204); // WINCH: ignored by scripts
    expect(em.execution(id)?.status).toBe('running');
    expect((await api.signal('b', 'nope', { signal: 15 })).status).toBe(404);
    expect((await api.signal('b', id, { signal: 15 })).status).toBe(204);
    const view = em.execution(id);
    expect(view?.exitCode).toBe(143);
    expect(view?.signals).toEqual([28, 15]);
    expect((await api.signal('b', id, { signal: 15 })).status).toBe(409);
  });

  it('resize: 204 on a TTY, 400 not a TTY or bad size, 404 unknown, 409 not running', async () => {
    const em = await emulator({ scripts: { wait: waitingScript, quick: quickScript } });
    const api = rest(em);
    const tty = await api.start('b', { command: 'wait', tty: true });
    const plain = await api.start('b', { command: 'wait' });
    expect((await api.resize('b', tty, { cols: 120, rows: 40 })).status).toBe(204);
    expect(em.execution(tty)?.size).toEqual({ cols: 120, rows: 40 });
    expect((await api.resize('b', tty, { cols: 0, rows: 40 })).status).toBe(400);
    expect((await api.resize('b', tty, { cols: 80 })).status).toBe(400);
    expect((await api.resize('b', plain, { cols: 80, rows: 24 })).status).toBe(400);
    expect((await api.resize('b', 'nope', { cols: 80, rows: 24 })).status).toBe(404);
    const done = await api.start('b', { command: 'quick', tty: true });
    expect((await api.resize('b', done, { cols: 80, rows: 24 })).status).toBe(409);
  });
});

describe('REST validation and errors', () => {
  it.each([
    ['no command', {}],
    ['empty command', { command: '' }],
    ['args not strings', { command: 'wait', args: ['a', 1] }],
    ['env not strings', { command: 'wait', env: { A: 1 } }],
    ['timeout below 0.1', { command: 'wait', timeout_seconds: 0.05 }],
    ['timeout not a number', { command: 'wait', timeout_seconds: '5' }],
    ['tty not boolean', { command: 'wait', tty: 'yes' }],
    ['working_dir not string', { command: 'wait', working_dir: 3 }],
    ['body not an object', [1, 2]],
    ['invalid JSON', '{"command":'],
    ['unknown command without processes', { command: 'ls' }],
  ])('POST /exec answers 400 for %s', async (_name, body) => {
    const em = await emulator({ scripts: { wait: waitingScript } });
    const res = await rest(em).exec('b', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toEqual(expect.any(String));
  });

  it('accepts every valid field', async () => {
    const em = await emulator({ scripts: { wait: waitingScript } });
    const body = { command: 'wait', args: ['x'], env: { A: 'b' }, timeout_seconds: 30, working_dir: '/tmp', tty: false };
    expect((await rest(em).exec('b', body)).status).toBe(201);
  });

  it('a box list makes POST /exec on another box 404, and executions are scoped by box', async () => {
    const em = await emulator({ boxes: ['known'], scripts: { wait: waitingScript } });
    const api = rest(em);
    expect((await api.exec('unknown', { command: 'wait' })).status).toBe(404);
    const id = await api.start('known', { command: 'wait' });
    expect((await api.get('known', id)).status).toBe(200);
    expect((await api.get('unknown', id)).status).toBe(404);
  });

  it('a duplicate generated id answers 409', async () => {
    const em = await emulator({ scripts: { wait: waitingScript }, generateExecutionId: () => 'same' });
    const api = rest(em);
    expect(await api.start('b', { command: 'wait' })).toBe('same');
    expect((await api.exec('b', { command: 'wait' })).status).toBe(409);
  });

  it('wrong method answers 405, unknown path 404', async () => {
    const em = await emulator({ scripts: { wait: waitingScript } });
    const headers = { authorization: `Bearer ${em.token}` };
    expect((await fetch(`${em.url}/v1/boxes/b/exec`, { headers })).status).toBe(405);
    expect((await fetch(`${em.url}/v1/boxes/b/other`, { headers })).status).toBe(404);
    expect((await fetch(`${em.url}/v2/boxes/b/exec`, { method: 'POST', headers })).status).toBe(404);
  });

  it('validates options up front', async () => {
    await expect(startRunnerEmulator({ host: '0.0.0.0' })).rejects.toThrow(/allowNonLoopback/);
    await expect(startRunnerEmulator({ ringBytes: 0 })).rejects.toThrow(RangeError);
    await expect(startRunnerEmulator({ replay: 'bogus' as 'ring' })).rejects.toThrow(TypeError);
    await expect(startRunnerEmulator({ pingIntervalMs: -1 })).rejects.toThrow(/pingIntervalMs/);
  });
});

describe('auth', () => {
  it('answers 401 without a token, with a wrong token, or with another scheme', async () => {
    const em = await emulator({ token: 'secret-token', scripts: { wait: waitingScript } });
    expect(em.token).toBe('secret-token');
    expect((await rest(em, null).exec('b', { command: 'wait' })).status).toBe(401);
    expect((await rest(em, 'secret-tokeX').exec('b', { command: 'wait' })).status).toBe(401);
    expect((await rest(em, 'short').exec('b', { command: 'wait' })).status).toBe(401);
    const basic = await fetch(`${em.url}/v1/boxes/b/exec`, {
      method: 'POST',
      headers: { authorization: 'Basic secret-token' },
      body: '{"command":"wait"}',
    });
    expect(basic.status).toBe(401);
    const id = await rest(em).start('b', { command: 'wait' });
    expect((await rest(em, 'nope').get('b', id)).status).toBe(401);
    expect((await rest(em, 'nope').del('b', id)).status).toBe(401);
    expect(em.stats.unauthorized).toBe(6);
    expect(em.execution(id)?.status).toBe('running');
  });

  it('generates a random 64-hex-digit token by default', async () => {
    const a = await emulator();
    const b = await emulator();
    expect(a.token).toMatch(/^[0-9a-f]{64}$/);
    expect(a.token).not.toBe(b.token);
  });
});

/** `2026-08-01T12:00:00.000Z`, as `Date.prototype.toISOString` writes it. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('error body shapes', () => {
  const cases = [
    {
      shape: 'runner' as const,
      notFound: { body: { error: 'execution nope not found' }, type: 'application/json' },
      // The runner's auth middleware answers before its controllers, in its own shape.
      unauthorized: {
        body: {
          statusCode: 401,
          message: 'missing or invalid bearer token',
          code: 'UNAUTHORIZED',
          timestamp: expect.stringMatching(ISO_TIMESTAMP),
          path: '/v1/boxes/b/executions/nope',
          method: 'GET',
        },
        type: 'application/json',
      },
    },
    {
      shape: 'auth' as const,
      notFound: {
        body: {
          statusCode: 404,
          message: 'execution nope not found',
          code: 'NOT_FOUND',
          timestamp: expect.stringMatching(ISO_TIMESTAMP),
          path: '/v1/boxes/b/executions/nope',
          method: 'GET',
        },
        type: 'application/json',
      },
      unauthorized: {
        body: {
          statusCode: 401,
          message: 'missing or invalid bearer token',
          code: 'UNAUTHORIZED',
          timestamp: expect.stringMatching(ISO_TIMESTAMP),
          path: '/v1/boxes/b/executions/nope',
          method: 'GET',
        },
        type: 'application/json',
      },
    },
    {
      shape: 'serve' as const,
      notFound: {
        body: { error: { message: 'execution nope not found', type: 'NotFoundError', code: 'not_found' } },
        type: 'application/json',
      },
      unauthorized: {
        body: { error: { message: 'missing or invalid bearer token', type: 'AuthError', code: 'unauthenticated' } },
        type: 'application/json',
      },
    },
  ];

  it.each(cases)('$shape shape for 404 and 401', async ({ shape, notFound, unauthorized }) => {
    const em = await emulator({ errorShape: shape });
    const missing = await rest(em).get('b', 'nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain(notFound.type);
    expect(await missing.json()).toEqual(notFound.body);
    const denied = await rest(em, 'bad').get('b', 'nope');
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual(unauthorized.body);
  });

  it('serve shape uses invalid_argument and invalid_state codes', async () => {
    const em = await emulator({ errorShape: 'serve', scripts: { quick: quickScript } });
    const api = rest(em);
    expect(await (await api.exec('b', {})).json()).toEqual({
      error: { message: 'command is required and must be a non-empty string', type: 'InvalidArgumentError', code: 'invalid_argument' },
    });
    const id = await api.start('b', { command: 'quick' });
    const conflict = await api.signal('b', id, { signal: 2 });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toEqual({
      error: { message: `execution ${id} is not running`, type: 'InvalidStateError', code: 'invalid_state' },
    });
  });

  it('proxy shape: an HTML page for 401/404, an empty body otherwise', async () => {
    const em = await emulator({ errorShape: 'proxy' });
    const missing = await rest(em).get('b', 'nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('text/html');
    expect(await missing.text()).toBe(
      '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    );
    const denied = await rest(em, 'bad').get('b', 'nope');
    expect(denied.status).toBe(401);
    expect(await denied.text()).toContain('<h1>401 Unauthorized</h1>');
    const bad = await rest(em).exec('b', {});
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBeNull();
    expect(await bad.text()).toBe('');
  });
});

describe('paths and opaque ids', () => {
  it('routes under a multi-segment pathPrefix only', async () => {
    const em = await emulator({ pathPrefix: 'org-1/team a', scripts: { wait: waitingScript } });
    expect(em.pathPrefix).toBe('org-1/team a');
    const id = await rest(em).start('b', { command: 'wait' });
    expect((await rest(em).get('b', id)).status).toBe(200);
    const headers = { authorization: `Bearer ${em.token}` };
    expect((await fetch(`${em.url}/v1/org-1/team%20a/boxes/b/executions/${id}`, { headers })).status).toBe(200);
    expect((await fetch(`${em.url}/v1/boxes/b/executions/${id}`, { headers })).status).toBe(404);
    expect((await fetch(`${em.url}/v1/org-1/boxes/b/executions/${id}`, { headers })).status).toBe(404);
  });

  it.each(['a/b', '../x', 'q?x#y', '%2F', 'sp ace', '..%2F..', 'é/..'])('box and execution id %j route as one segment', async (weird) => {
    const em = await emulator({ scripts: { wait: waitingScript }, generateExecutionId: () => `id-${weird}` });
    const api = rest(em);
    const id = await api.start(weird, { command: 'wait' });
    expect(id).toBe(`id-${weird}`);
    const info = await api.get(weird, id);
    expect(info.status).toBe(200);
    expect(((await info.json()) as { execution_id: string }).execution_id).toBe(id);
    expect(em.execution(id)?.boxId).toBe(weird);
    expect((await api.get('a', id)).status).toBe(404);
    expect((await api.signal(weird, id, { signal: 2 })).status).toBe(204);
  });

  it('a raw %2E%2E segment is the box id "..", not a parent step', async () => {
    // fetch and WHATWG URLs collapse %2E%2E, so this goes through node:http with a raw path.
    const em = await emulator({ scripts: { wait: waitingScript } });
    const created = nextEvent(em, 'exec');
    const status = await new Promise<number>((resolve, reject) => {
      const { port } = new URL(em.url);
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/boxes/%2E%2E/exec',
          headers: { authorization: `Bearer ${em.token}`, 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{"command":"wait"}');
    });
    expect(status).toBe(201);
    expect((await created).boxId).toBe('..');
  });
});
