/**
 * The bad-input table of docs/bad-input.md, one test per row: malformed frames, an oversized
 * frame, malformed status bodies, the four error-body shapes, HTML error pages, and ids that could
 * change a path. Each row: a typed error or tolerated, and nothing lost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom, materialize, of, toArray, type Observable } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerClient, type RunnerClient } from '../src/client/createRunnerClient.js';
import type { RunnerClientOptions } from '../src/client/options.js';
import { isAttachRejectedError, isBoxliteHttpError } from '../src/errors.js';
import type { ExecEvent, NoticeEvent } from '../src/events.js';
import type { FetchLike } from '../src/transport/http.js';
import type { AttachInput } from '../src/transport/outbox.js';
import {
  startRunnerEmulator,
  type AttachFault,
  type ErrorShape,
  type InjectedFrame,
  type RunnerEmulator,
  type RunnerEmulatorOptions,
  type Script,
} from '../src/testing/index.js';
import { failAfter } from './support/within.js';

/** Every wait gives up after this long. */
const WAIT_MS = 10_000;

/** Servers to close after each test, last started first. */
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An emulator closed after the test. */
async function emulator(options: RunnerEmulatorOptions = {}): Promise<RunnerEmulator> {
  const started = await startRunnerEmulator(options);
  closers.push(() => started.close());
  return started;
}

/** A client for `em` with fast recovery timings. */
function clientFor(em: RunnerEmulator, overrides: Partial<RunnerClientOptions> = {}): RunnerClient {
  return createRunnerClient({
    baseUrl: em.url,
    token: em.token,
    reconnect: { initialDelay: 5, maxDelay: 20, budget: 5_000 },
    conflictBackoff: { initialDelay: 5, maxDelay: 20 },
    drainTimeout: 2_000,
    ...overrides,
  });
}

/** What a run emitted, and its error if it failed, within `WAIT_MS`. */
interface Run {
  readonly events: ExecEvent[];
  readonly error: unknown;
  readonly stdout: string;
  readonly notices: NoticeEvent[];
  readonly exit: ExecEvent | undefined;
}

/** Subscribes to `source` and collects what it did. */
async function run(source: Observable<ExecEvent>): Promise<Run> {
  const notifications = await firstValueFrom(
    source.pipe(materialize(), toArray(), failAfter(WAIT_MS, 'the outcome')),
  );
  const events = notifications.flatMap((n) => (n.kind === 'N' ? [n.value] : []));
  const decoder = new TextDecoder();
  return {
    events,
    error: notifications.find((n) => n.kind === 'E')?.error,
    stdout: events.map((e) => (e.type === 'stdout' ? decoder.decode(e.data, { stream: true }) : '')).join(''),
    notices: events.filter((e): e is NoticeEvent => e.type === 'notice'),
    exit: events.find((e) => e.type === 'exit'),
  };
}

const OUTPUT = 'line one\nline two € ✓\n';
/** Two lines, a pause (so a cut can land between), then exit 3. */
const twoLines = (attachFaults: readonly (AttachFault | undefined)[]): Script => ({
  steps: [{ stdout: 'line one\n' }, { waitMs: 20 }, { stdout: 'line two € ✓\n' }, { exit: 3 }],
  attachFaults,
});
const exitFrame = { type: 'exit', exitCode: 3, source: 'frame' };

/** A small HTTP server answering every request with `status` and `body`. */
async function stubServer(status: number, body: string): Promise<string> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** `fetch` that sends the status requests (`GET …/executions/{id}`) to `stub`, the rest to the emulator. */
function statusTo(stub: string): FetchLike {
  return (url, init) => {
    const { pathname } = new URL(url);
    const isStatus = init.method === 'GET' && /\/executions\/[^/]+$/.test(pathname);
    return fetch(isStatus ? `${stub}${pathname}` : url, init);
  };
}

describe('malformed frames (emulator inject): tolerated, reported, nothing lost', () => {
  const rows: [InjectedFrame, string][] = [
    ['empty-binary', 'empty binary frame'],
    ['unknown-channel', 'unknown channel byte 0x03'],
    ['invalid-json', 'invalid JSON in a text frame (15 chars)'],
    ['unknown-type', 'unknown text frame type "progress"'],
    ['exit-without-code', 'exit frame without an integer exit_code'],
    ['exit-non-integer', 'exit frame without an integer exit_code'],
  ];
  it.each(rows)('%s → a malformed-frame notice, then all output and the exit frame', async (frame, message) => {
    const em = await emulator({ scripts: { job: twoLines([{ inject: [frame] }]) } });
    const result = await run(clientFor(em).exec('box', { command: 'job' }));
    expect(result.error).toBeUndefined();
    expect(result.notices).toEqual([expect.objectContaining({ kind: 'malformed-frame', message })]);
    expect(result.stdout).toBe(OUTPUT);
    expect(result.exit).toEqual(exitFrame);
  });
});

describe('a frame over the client maxPayload', () => {
  /** Waits for the attach, writes a line, then (20 ms later) one 4 KiB chunk, and exits 7. */
  const oversized: Script = {
    steps: [{ waitForAttach: true }, { stdout: 'before\n' }, { waitMs: 20 }, { stdout: new Uint8Array(4096).fill(0x78) }, { exit: 7 }],
  };

  it('is a cut: output before it once, then drain-incomplete (the replay holds it too) and the exit code from the status', async () => {
    const em = await emulator({ scripts: { job: oversized } });
    const result = await run(clientFor(em, { maxPayload: 1024 }).exec('box', { command: 'job' }));
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe('before\n');
    expect(result.notices).toEqual([expect.objectContaining({ kind: 'drain-incomplete', message: expect.stringMatching(/^the re-attach failed: /) })]);
    expect(result.exit).toEqual({ type: 'exit', exitCode: 7, source: 'probe' });
  });

  // `ws` closes with 1009 but reports 1006 locally; the adapter names the real reason, so the user
  // can tell an oversized frame (raise maxPayload) from a network cut.
  it('the cut names close code 1009 and the reason', async () => {
    const em = await emulator({ scripts: { job: oversized } });
    // Started without the gate: the exec is left at its started event, and its command runs on.
    const id = (await firstValueFrom(clientFor(em, { startGate: false }).exec('box', { command: 'job' }))) as ExecEvent & { type: 'started' };
    const result = await run(clientFor(em, { maxPayload: 1024 }).attach('box', id.executionId));
    expect(result.error).toMatchObject({
      name: 'AttachDisconnectedError',
      closeCode: 1009,
      message: 'attach: socket closed before the exit frame (code 1009: Max payload size exceeded)',
    });
  });
});

describe('malformed status bodies (node:http stub): the probe tolerates them', () => {
  it.each([
    ['not JSON', '<html>ok</html>'],
    ['an unknown status', '{"execution_id":"x","status":"paused"}'],
  ])('%s → probe unavailable → reconnect → all output once, exit frame', async (_name, body) => {
    const em = await emulator({ scripts: { job: twoLines([{ cut: { after: { outputBytes: 9 } } }]) } });
    const stub = await stubServer(200, body);
    // Without preconnect: the socket it opens beside the probe is closed at the stub's fast
    // "unavailable", and on a loaded machine the emulator could still hold that socket's slot at the
    // reconnect 20 ms later (a 409, probed again, another `unavailable`: once in CI on 7 Dec 2026).
    const result = await run(clientFor(em, { fetch: statusTo(stub), preconnect: false }).exec('box', { command: 'job' }));
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe(OUTPUT);
    expect(result.notices.map((notice) => [notice.kind, notice.reason])).toEqual([
      ['reconnecting', 'unavailable'],
      ['reconnected', undefined],
    ]);
    expect(result.exit).toEqual(exitFrame);
  });

  it('terminal without exit_code, drain refused → exit -1 with a message, after drain-incomplete; output complete', async () => {
    const em = await emulator({ scripts: { job: twoLines([{ cut: { after: 'before-exit' } }, { reject: { status: 404 } }]) } });
    const stub = await stubServer(200, '{"execution_id":"x","status":"completed"}');
    const result = await run(clientFor(em, { fetch: statusTo(stub) }).exec('box', { command: 'job' }));
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe(OUTPUT);
    expect(result.notices.map((n) => n.kind)).toEqual(['drain-incomplete']);
    expect(result.exit).toEqual({ type: 'exit', exitCode: -1, source: 'probe', message: 'status completed without an exit code' });
  });
});

const SHAPES: [ErrorShape, string | undefined, string][] = [
  ['runner', undefined, 'box nope not found'],
  ['auth', 'NOT_FOUND', 'box nope not found'],
  ['serve', 'not_found', 'box nope not found'],
  ['proxy', undefined, 'HTTP 404 Not Found'],
];

describe('error bodies on POST /exec: BoxliteHttpError with status and code', () => {
  it.each(SHAPES)('%s shape → status 404, code %s', async (errorShape, code, message) => {
    const em = await emulator({ errorShape, boxes: ['box'] });
    const result = await run(clientFor(em).exec('nope', { command: 'job' }));
    expect(isBoxliteHttpError(result.error)).toBe(true);
    expect(result.error).toMatchObject({ status: 404, code, message: `exec: ${message}` });
    expect(result.events).toEqual([]);
    expect(em.stats.executions).toBe(0);
  });
});

describe('error bodies on the attach refusal: AttachRejectedError with status and code', () => {
  it.each(SHAPES)('%s shape → status 404, code %s', async (errorShape, code) => {
    const em = await emulator({ errorShape });
    const result = await run(clientFor(em).attach('box', 'missing'));
    expect(isAttachRejectedError(result.error)).toBe(true);
    expect(result.error).toMatchObject({ status: 404, code });
    expect(result.events).toEqual([]);
  });
});

describe('HTML error pages from a proxy', () => {
  it('a 502 page on the first attach → same path as a cut: all output once, exit frame', async () => {
    const em = await emulator({ scripts: { job: twoLines([{ reject: { status: 502 } }]) } });
    const result = await run(clientFor(em).exec('box', { command: 'job' }));
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe(OUTPUT);
    expect(result.exit).toEqual(exitFrame);
  });

  it('a 403 page on the attach → AttachRejectedError 403 after the started event, no retry', async () => {
    const em = await emulator({ scripts: { job: twoLines([{ reject: { status: 403 } }]) } });
    // Without the gate the command runs on, so a later follow gets its output (a gated exec that
    // ends before its gate opened deletes the execution: test/integration/startGateEnds.test.ts).
    const result = await run(clientFor(em, { startGate: false }).exec('box', { command: 'job' }));
    expect(isAttachRejectedError(result.error)).toBe(true);
    expect(result.error).toMatchObject({ status: 403, code: undefined, message: 'attach refused: HTTP 403 (likely a wrong token or webSocketAuth)' });
    expect(result.events.map((e) => e.type)).toEqual(['started']);
    expect(em.stats.attachAttempts).toBe(1);
    const id = (result.events[0] as ExecEvent & { type: 'started' }).executionId;
    expect((await run(clientFor(em).follow('box', id))).stdout).toBe(OUTPUT);
  });
});

describe('ids that could change a path', () => {
  const IDS = ['a/b', 'a?b=1', 'a#frag', '100%', 'a b', '../x', 'a/../../boxes'];

  /** The id a path built without encoding would reach instead (`a?b=1` → `a`). */
  const neighbourOf = (id: string): string => id.split(/[/?#% ]/).find((part) => part !== '' && part !== '..') ?? 'n';

  it.each(IDS)('execution id %j (server-made) → encoded, routed to its own execution, not its neighbour', async (id) => {
    const ids = [neighbourOf(id), id];
    const em = await emulator({
      generateExecutionId: ({ sequence }) => ids[sequence] ?? `extra-${sequence}`,
      scripts: { echo: (request) => ({ steps: [{ stdout: request.args?.[0] ?? '' }, { exit: 0 }] }) },
    });
    const attached: string[] = [];
    em.events.pipe(filter((e) => e.type === 'attach')).subscribe((e) => attached.push(e.executionId));
    const client = clientFor(em);
    expect((await run(client.exec('box', { command: 'echo', args: ['neighbour'] }))).stdout).toBe('neighbour');
    const result = await run(client.exec('box', { command: 'echo', args: ['mine'] }));
    expect(result.events[0]).toEqual({ type: 'started', executionId: id });
    expect(result.stdout).toBe('mine');
    expect(result.exit).toEqual({ type: 'exit', exitCode: 0, source: 'frame' });
    expect(attached).toEqual([neighbourOf(id), id]);
  });

  it.each(IDS)('box id %j (user-given) → encoded, the execution lands in that box', async (boxId) => {
    const em = await emulator({ scripts: { echo: (request) => ({ steps: [{ stdout: request.args?.[0] ?? '' }, { exit: 0 }] }) } });
    const result = await run(clientFor(em).exec(boxId, { command: 'echo', args: ['hi'] }));
    expect(result.stdout).toBe('hi');
    const started = result.events[0] as ExecEvent & { type: 'started' };
    expect(em.execution(started.executionId)?.boxId).toBe(boxId);
  });

  it.each(['.', '..'])('%j as a box or execution id (user-given) → TypeError before any request', async (id) => {
    const em = await emulator();
    const client = clientFor(em);
    const calls: (() => unknown)[] = [
      () => client.exec(id, { command: 'job' }),
      () => client.follow('box', id),
      () => client.follow(id, 'exec-1'),
      () => client.attach('box', id),
      () => client.probe('box', id),
      () => client.kill('box', id),
      () => client.signal('box', id, 15),
    ];
    for (const call of calls) expect(call).toThrow(TypeError);
    expect(em.stats.restRequests).toBe(0);
    expect(em.stats.attachAttempts).toBe(0);
  });

  it('".." as a server-made execution id → TypeError after the POST, before any attach or probe', async () => {
    const em = await emulator({ generateExecutionId: () => '..', scripts: { job: twoLines([]) } });
    const result = await run(clientFor(em).exec('box', { command: 'job' }));
    expect(result.error).toBeInstanceOf(TypeError);
    expect(String(result.error)).toMatch(/executionId cannot be "\.\."/);
    expect(result.events).toEqual([]);
    expect(em.stats.restRequests).toBe(1);
    expect(em.stats.attachAttempts).toBe(0);
  });
});

describe('unknown option keys', () => {
  it('createRunnerClient with a misspelled option → TypeError at the call naming it and the option meant', () => {
    const call = (): unknown => createRunnerClient({ baseUrl: 'http://127.0.0.1:1', replyShape: 'chunks' } as RunnerClientOptions);
    expect(call).toThrow(TypeError);
    expect(call).toThrow('createRunnerClient: unknown option replyShape');
  });

  it('an exec input with a misspelled stdin → TypeError on subscription, before the POST', async () => {
    const em = await emulator({ scripts: { job: twoLines([]) } });
    const result = await run(clientFor(em).exec('box', { command: 'job' }, { stdn: of('x') } as AttachInput));
    expect(result.error).toBeInstanceOf(TypeError);
    expect((result.error as Error).message).toBe('input: unknown option stdn');
    expect(result.events).toEqual([]);
    expect(em.stats.restRequests).toBe(0);
  });
});
