/**
 * The `server` preset: one choice sets everything the Go runner and `boxlite serve` do their own
 * way (replay framing, error bodies, content types); `replay` and `errorShape` are aliases that
 * must agree with it; `errorShape` overrides only with a shape no server owns alone.
 */
import { describe, expect, it } from 'vitest';
import { executionUrl } from '../../src/protocol/paths.js';
import { startRunnerEmulator, type EmulatorOptions, type RunnerEmulator, type Script } from '../../src/testing/index.js';
import { emulator, endpoint, startExecution } from '../support/emulator.js';
import { within } from '../support/within.js';
import { attach, show, tryAttach } from './attachClient.js';

const twoChunks: Script = { steps: [{ stdout: 'one ' }, { stdout: 'two' }, { exit: 0 }] };

/** What a server looks like from outside: the frames of a replay, a 404, a 401, and the Content-Types. */
async function observe(em: RunnerEmulator): Promise<{
  frames: string[];
  notFound: unknown;
  unauthorized: unknown;
  upgradeUnauthorized: unknown;
  types: { ok: string | null; notFound: string | null; unauthorized: string | null };
}> {
  const id = await startExecution(em, { command: 'two' });
  const conn = await attach(em, id);
  await within(conn.closed);
  const url = executionUrl(endpoint(em), 'box', id);
  const ok = await fetch(url, { headers: { authorization: `Bearer ${em.token}` } });
  const notFound = await fetch(executionUrl(endpoint(em), 'box', 'nope'), { headers: { authorization: `Bearer ${em.token}` } });
  const unauthorized = await fetch(url, { headers: { authorization: 'Bearer wrong' } });
  const upgrade = await tryAttach(em, id, 'wrong');
  return {
    frames: show(conn.frames),
    notFound: await notFound.json(),
    unauthorized: await unauthorized.json(),
    upgradeUnauthorized: upgrade.kind === 'refused' ? JSON.parse(upgrade.body) : upgrade.kind,
    types: {
      ok: ok.headers.get('content-type'),
      notFound: notFound.headers.get('content-type'),
      unauthorized: unauthorized.headers.get('content-type'),
    },
  };
}

const RUNNER = {
  frames: ['o:one two', 'x:0'],
  notFound: { error: 'execution nope not found' },
  unauthorized: expect.objectContaining({ statusCode: 401, code: 'UNAUTHORIZED', message: 'missing or invalid bearer token' }),
  upgradeUnauthorized: expect.objectContaining({ statusCode: 401, code: 'UNAUTHORIZED' }),
  types: { ok: 'application/json; charset=utf-8', notFound: 'application/json; charset=utf-8', unauthorized: 'application/json; charset=utf-8' },
};

const SERVE = {
  frames: ['o:one ', 'o:two', 'x:0'],
  notFound: { error: { message: 'execution nope not found', type: 'NotFoundError', code: 'not_found' } },
  unauthorized: { error: { message: 'missing or invalid bearer token', type: 'AuthError', code: 'unauthenticated' } },
  upgradeUnauthorized: { error: { message: 'missing or invalid bearer token', type: 'AuthError', code: 'unauthenticated' } },
  types: { ok: 'application/json', notFound: 'application/json', unauthorized: 'application/json' },
};

describe('server: one choice sets the replay, the error bodies and the content types together', () => {
  it.each<[string, EmulatorOptions, typeof RUNNER | typeof SERVE]>([
    ['the default', {}, RUNNER],
    ["server: 'runner'", { server: 'runner' }, RUNNER],
    ["server: 'serve'", { server: 'serve' }, SERVE],
    // The aliases: `replay` names the server by its replay shape, the old spellings included.
    ["replay: 'ring'", { replay: 'ring' }, RUNNER],
    ["replay: 'single' (old spelling)", { replay: 'single' }, RUNNER],
    ["replay: 'chunks'", { replay: 'chunks' }, SERVE],
    ["replay: 'chunked' (old spelling)", { replay: 'chunked' }, SERVE],
    // A server's own error shape names that server too.
    ["errorShape: 'serve'", { errorShape: 'serve' }, SERVE],
    ["errorShape: 'runner'", { errorShape: 'runner' }, RUNNER],
    ['server and an alias that agree', { server: 'serve', replay: 'chunked', errorShape: 'serve' }, SERVE],
  ])('%s', async (_, options, expected) => {
    const em = await emulator({ ...options, scripts: { two: twoChunks } });
    expect(await observe(em)).toEqual(expected);
  });
});

describe('errorShape overrides the bodies only with a shape that is not one server’s own', () => {
  it("'proxy' with either server: an HTML page for 404 and 401, the server's replay kept", async () => {
    for (const [server, frames] of [['runner', RUNNER.frames], ['serve', SERVE.frames]] as const) {
      const em = await emulator({ server, errorShape: 'proxy', scripts: { two: twoChunks } });
      const id = await startExecution(em, { command: 'two' });
      const conn = await attach(em, id);
      await within(conn.closed);
      expect(show(conn.frames)).toEqual(frames);
      const missing = await fetch(executionUrl(endpoint(em), 'box', 'nope'), { headers: { authorization: `Bearer ${em.token}` } });
      expect([missing.status, missing.headers.get('content-type')]).toEqual([404, 'text/html']);
      expect(await missing.text()).toContain('<h1>404 Not Found</h1>');
    }
  });

  it("'auth' with the runner: every error in its auth middleware's shape", async () => {
    const em = await emulator({ server: 'runner', errorShape: 'auth' });
    const missing = await fetch(executionUrl(endpoint(em), 'box', 'nope'), { headers: { authorization: `Bearer ${em.token}` } });
    expect(await missing.json()).toEqual(expect.objectContaining({ statusCode: 404, code: 'NOT_FOUND', message: 'execution nope not found' }));
  });
});

describe('options that name different servers are rejected', () => {
  it.each<[EmulatorOptions, string]>([
    [{ server: 'serve', errorShape: 'runner' }, "startRunnerEmulator: errorShape with server 'serve' must be 'serve' or 'proxy', got runner"],
    [{ server: 'serve', errorShape: 'auth' }, "startRunnerEmulator: errorShape with server 'serve' must be 'serve' or 'proxy', got auth"],
    [{ server: 'runner', errorShape: 'serve' }, "startRunnerEmulator: errorShape with server 'runner' must be 'runner', 'auth' or 'proxy', got serve"],
    [{ server: 'runner', replay: 'chunked' }, "startRunnerEmulator: replay with server 'runner' must be 'ring' or 'single', got chunked"],
    [{ server: 'serve', replay: 'ring' }, "startRunnerEmulator: replay with server 'serve' must be 'chunks' or 'chunked', got ring"],
    [{ replay: 'chunked', errorShape: 'runner' }, "startRunnerEmulator: errorShape with replay 'chunked' must be 'serve' or 'proxy', got runner"],
    [{ replay: 'single', errorShape: 'serve' }, "startRunnerEmulator: errorShape with replay 'single' must be 'runner', 'auth' or 'proxy', got serve"],
  ])('%j', async (options, message) => {
    const error = await startRunnerEmulator(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(message);
  });

  it('an unknown server or replay is a TypeError listing the known ones', async () => {
    await expect(startRunnerEmulator({ server: 'cloud' as 'runner' })).rejects.toThrow(
      new TypeError("startRunnerEmulator: server must be 'runner' or 'serve', got cloud"),
    );
    await expect(startRunnerEmulator({ replay: 'bogus' as 'ring' })).rejects.toThrow(
      new TypeError("startRunnerEmulator: replay must be 'ring', 'chunks', 'single' or 'chunked', got bogus"),
    );
  });
});
