// @module-tag slow/sockets
/**
 * Read-only observers (`client.observe`), the box's main session (`client.followMain`) and the
 * listing (`client.executions`) on real sockets, against each server's reading of the attach
 * query `stdin` (docs/protocol.md §7): serve's (`0|1|false|true`, the slot kept), the newer
 * runner's (only `false`, no slot) and an older runner's (ignored). Default client options but
 * short delays; every delivery checked for exact bytes, one exit, and how late it came.
 */

import { filter, firstValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createRunnerClient, type RunnerClient } from '../../src/client/createRunnerClient.js';
import { isAttachRejectedError, isBoxliteHttpError, isExecutionIdUnknownError, isReconnectBudgetExceededError } from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';
import type { EmulatorEvent, EmulatorOptions, RunnerEmulator, Script } from '../../src/testing/index.js';
import { StatuslessWebSocket } from '../support/statuslessWebSocket.js';
import { realisticOutput } from '../support/realisticOutput.js';
import { startExecution } from '../support/emulator.js';
import { failAfter } from '../support/within.js';
import { emulator, finish, outcome } from './support.js';

const READINGS = ['serve', 'runner', 'ignored'] as const;

/** Log lines with long shared endings, in the chunks a process writes. */
const LOGS = realisticOutput('logs', 6_000, 23);
/**
 * Numbered heartbeats, then a pause, UTF-8 split anywhere, and exit 3. Each heartbeat differs, so
 * a `boxlite serve` replay (whole chunks) is aligned with proof after a cut past 4 KiB (a shorter
 * or repeating run is delivered whole after a notice there: docs/delivery.md, the delivery suites'
 * subject, not the observers').
 */
const BEATS = realisticOutput('timestampedHeartbeat', 6_000, 23);
const MORE = realisticOutput('utf8', 3_000, 24);
const ALL = Buffer.concat([...BEATS, ...MORE]);
const SLOW: Script = { steps: [...BEATS.map((stdout) => ({ stdout })), { waitMs: 150 }, ...MORE.map((stdout) => ({ stdout })), { exit: 3 }] };

/** A client with the defaults but short waits (the reconnect and drain delays). */
const clientOf = (em: RunnerEmulator, extra: Parameters<typeof createRunnerClient>[0] extends infer O ? Partial<O> : never = {}): RunnerClient =>
  createRunnerClient({
    baseUrl: em.url,
    token: em.token,
    reconnect: { initialDelay: 20, maxDelay: 40, budget: 50 },
    conflictBackoff: { initialDelay: 20, maxDelay: 40 },
    drainTimeout: 3_000,
    drainSettle: 300,
    ...extra,
  });

/** Starts an execution of `command` with a bare `POST /exec` (no socket, no start gate); its id. */
const started = (em: RunnerEmulator, command: string): Promise<string> => startExecution(em, { command });

type AttachEvent = Extract<EmulatorEvent, { type: 'attach' }>;

/** The next attach answer the emulator reports that `matches`, within 3 s. */
const nextAttach = (em: RunnerEmulator, matches: (event: AttachEvent) => boolean): Promise<AttachEvent> =>
  firstValueFrom(
    em.events.pipe(
      filter((event): event is AttachEvent => event.type === 'attach' && matches(event)),
      failAfter(3_000, 'an attach answer'),
    ),
  );

/** Resolves with the first event of `events` that `matches` (pushed by the caller), within 3 s. */
function firstOf(events: Subject<ExecEvent>, matches: (event: ExecEvent) => boolean): Promise<ExecEvent> {
  return firstValueFrom(events.pipe(filter(matches), failAfter(3_000, 'an event')));
}

/** Every attach event the emulator reports from now on. */
function attachesOf(em: RunnerEmulator): Extract<EmulatorEvent, { type: 'attach' }>[] {
  const seen: Extract<EmulatorEvent, { type: 'attach' }>[] = [];
  em.events.subscribe((event) => {
    if (event.type === 'attach') seen.push(event);
  });
  return seen;
}

const noStdinSent = (em: RunnerEmulator): void => {
  expect(em.stats.readOnlyStdinFrames).toBe(0);
  expect(em.stats.readOnlyStdinEofs).toBe(0);
  expect(em.stats.readOnlyResizes).toBe(0);
  expect(em.stats.readOnlySignals).toBe(0);
  expect(em.stats.stdinBytes).toBe(0);
};

function emulatorWith(reading: (typeof READINGS)[number], options: EmulatorOptions): Promise<RunnerEmulator> {
  return emulator({ server: reading === 'serve' ? 'serve' : 'runner', readOnlyAttach: reading, ...options });
}

describe.each(READINGS)("observe, stdin read as %s's server reads it", (reading) => {
  it('through a cut mid-output: every byte once, in order, exit exact, every upgrade read-only, nothing sent', async () => {
    const em = await emulatorWith(reading, {
      scripts: { slow: { ...SLOW, attachFaults: [{ cut: { after: { outputBytes: 5_000 } } }] } },
    });
    const writer = clientOf(em);
    const id = await started(em, 'slow');
    const attaches = attachesOf(em);
    const since = Date.now();
    const result = await finish(writer.observe('box', id));
    expect(result.stdoutBytes.equals(ALL)).toBe(true);
    expect(result.exit.exitCode).toBe(3);
    expect(result.notices.filter((n) => n.kind !== 'reconnecting' && n.kind !== 'reconnected')).toEqual([]);
    expect(attaches.length).toBeGreaterThanOrEqual(2);
    for (const attach of attaches) expect(attach.stdin).toBe('false');
    noStdinSent(em);
    expect(Date.now() - since).toBeLessThan(3_000);
  });

  it('through the drain (cut before the exit frame): exact, the exit from the drain, nothing sent', async () => {
    const em = await emulatorWith(reading, {
      scripts: { quick: { steps: [...LOGS.map((stdout) => ({ stdout })), { exit: 5 }], attachFaults: [{ cut: { after: 'before-exit' } }] } },
    });
    const id = await started(em, 'quick');
    const attaches = attachesOf(em);
    const result = await finish(clientOf(em).observe('box', id));
    expect(result.stdoutBytes.equals(Buffer.concat(LOGS))).toBe(true);
    expect(result.exit).toMatchObject({ exitCode: 5, source: 'frame' });
    for (const attach of attaches) expect(attach.stdin).toBe('false');
    noStdinSent(em);
  });
});

describe('observers beside a writer', () => {
  it('runner: a writer typing and an observer side by side, each exact; the observer sent nothing', async () => {
    const em = await emulator({ server: 'runner', scripts: { cat: { steps: [{ echoStdin: true }, { exit: 0 }] } } });
    const client = clientOf(em, { startGate: false });
    const stdin = new Subject<string>();
    const writerEvents: ExecEvent[] = [];
    const seen = new Subject<ExecEvent>();
    const firstOutput = firstOf(seen, (e) => e.type === 'stdout');
    const writerDone = new Promise<void>((resolve, reject) =>
      client.exec('box', { command: 'cat' }, { stdin }).subscribe({
        next: (e) => {
          writerEvents.push(e);
          seen.next(e);
        },
        error: reject,
        complete: resolve,
      }),
    );
    const lines = ['first line ✓\n', 'second line, the same long ending of a log line\n', 'third line, the same long ending of a log line\n'];
    stdin.next(lines[0] as string);
    await firstOutput;
    const id = (writerEvents[0] as Extract<ExecEvent, { type: 'started' }>).executionId;
    const observerIn = nextAttach(em, (e) => e.readOnly === true && e.status === 101);
    const observed = firstValueFrom(client.observe('box', id).pipe(toArray()));
    await observerIn;
    stdin.next(lines[1] as string);
    stdin.next(lines[2] as string);
    stdin.complete();
    await writerDone;
    const observer = await observed;
    const text = (events: readonly ExecEvent[]): string =>
      Buffer.concat(events.flatMap((e) => (e.type === 'stdout' ? [e.data] : []))).toString('utf8');
    expect(text(writerEvents)).toBe(lines.join(''));
    expect(text(observer)).toBe(lines.join(''));
    expect(observer.at(-1)).toMatchObject({ type: 'exit', exitCode: 0 });
    expect(em.stats.readOnlyStdinFrames).toBe(0);
  });

  it("serve: a writer's slot keeps the observer out; its wait is bounded (the reconnect budget, a typed error)", async () => {
    const em = await emulator({ server: 'serve', scripts: { cat: { steps: [{ echoStdin: true }, { exit: 0 }] } } });
    const client = clientOf(em, { startGate: false, reconnect: { initialDelay: 20, maxDelay: 40, budget: 4 } });
    const stdin = new Subject<string>();
    const seen = new Subject<ExecEvent>();
    const firstOutput = firstOf(seen, (e) => e.type === 'stdout');
    const writerEvents: ExecEvent[] = [];
    const sub = client.exec('box', { command: 'cat' }, { stdin }).subscribe((e) => {
      writerEvents.push(e);
      seen.next(e);
    });
    stdin.next('held\n');
    await firstOutput;
    const id = (writerEvents[0] as Extract<ExecEvent, { type: 'started' }>).executionId;
    const since = Date.now();
    const { error } = await outcome(client.observe('box', id));
    expect(isReconnectBudgetExceededError(error) || isAttachRejectedError(error)).toBe(true);
    expect(Date.now() - since).toBeLessThan(2_000);
    expect(em.stats.rejected409).toBeGreaterThanOrEqual(1);
    sub.unsubscribe();
  });

  it("serve: an observer's slot holds a writer's follow off until it leaves; the writer then gets every byte", async () => {
    const em = await emulator({ server: 'serve', scripts: { slow: SLOW } });
    const client = clientOf(em, { startGate: false });
    const id = await started(em, 'slow');
    const observerIn = nextAttach(em, (e) => e.readOnly === true && e.status === 101);
    const observing = client.observe('box', id).subscribe();
    await observerIn;
    const since = Date.now();
    const writerRefused = nextAttach(em, (e) => e.status === 409);
    const following = finish(client.follow('box', id));
    await writerRefused;
    observing.unsubscribe();
    const result = await following;
    expect(result.stdoutBytes.equals(ALL)).toBe(true);
    expect(result.exit.exitCode).toBe(3);
    expect(Date.now() - since).toBeLessThan(3_000);
  });
});

describe('followMain: the box main session', () => {
  it('started carries the 101 id; output and exit exact through a cut; later sockets use that id', async () => {
    const em = await emulator({
      scripts: { login: { ...SLOW, attachFaults: [{ cut: { after: { outputBytes: 2_500 } } }] } },
      mainSessions: { box: 'login' },
    });
    const attaches = attachesOf(em);
    const result = await finish(clientOf(em).followMain('box'));
    expect(result.executionId).toBeDefined();
    expect(result.stdoutBytes.equals(ALL)).toBe(true);
    expect(result.exit.exitCode).toBe(3);
    expect(attaches.length).toBeGreaterThanOrEqual(2);
    for (const attach of attaches) expect(attach.executionId).toBe(result.executionId);
  });

  it('observe(box) without an id is the main session, read-only', async () => {
    const em = await emulator({ server: 'serve', scripts: { login: SLOW }, mainSessions: { box: 'login' } });
    const attaches = attachesOf(em);
    const result = await finish(clientOf(em).observe('box'));
    expect(result.stdoutBytes.equals(ALL)).toBe(true);
    for (const attach of attaches) expect(attach.stdin).toBe('false');
    noStdinSent(em);
  });

  it('a box without a main session: AttachRejectedError 404, at once, no probe', async () => {
    const em = await emulator({ scripts: { login: SLOW }, mainSessions: { other: 'login' } });
    const since = Date.now();
    const { events, error } = await outcome(clientOf(em).followMain('box'));
    expect(events).toEqual([]);
    expect(isAttachRejectedError(error) && error.status).toBe(404);
    expect(Date.now() - since).toBeLessThan(1_000);
    expect(em.stats.restRequests).toBe(0);
  });

  it('a socket that hides the 101 headers: ExecutionIdUnknownError, never a follow without an id', async () => {
    const em = await emulator({ scripts: { login: SLOW }, mainSessions: { box: 'login' } });
    const client = clientOf(em, { WebSocket: StatuslessWebSocket as never });
    const { events, error } = await outcome(client.followMain('box'));
    expect(events).toEqual([]);
    expect(isExecutionIdUnknownError(error)).toBe(true);
    expect((error as Error).message).toBe("followMain: no X-Boxlite-Execution-Id on the 101 (a browser's WebSocket hides it: use ws)");
  });
});

describe('executions: the listing', () => {
  it('runner: each execution with its command and whether a writer is attached', async () => {
    const em = await emulator({ server: 'runner', scripts: { slow: SLOW } });
    const client = clientOf(em);
    const id = await started(em, 'slow');
    const list = await firstValueFrom(client.executions('box'));
    expect(list).toEqual([expect.objectContaining({ execution_id: id, command: 'slow', attached: expect.any(Boolean) as boolean })]);
  });

  it('serve: 404, a BoxliteHttpError whose code says the listing is not offered', async () => {
    const em = await emulator({ server: 'serve' });
    const { error } = await outcome(clientOf(em).executions('box') as never);
    expect(isBoxliteHttpError(error) && [error.status, error.code]).toEqual([404, 'not_offered']);
    expect((error as Error).message).toMatch(/^executions: not offered here, or no box box \(/);
  });
});
