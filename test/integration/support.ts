/**
 * Helpers of the integration suite: a real emulator (and proxy) per test on 127.0.0.1, a real
 * client against it, bounded waits on emulator events, and exact summaries of what a client emitted.
 */

import { filter, firstValueFrom, materialize, toArray, type Observable } from 'rxjs';
import { expect } from 'vitest';
import { createRunnerClient, type RunnerClient, type RunnerClientOptions } from '../../src/index.js';
import type { ExecEvent, ExitEvent, FetchLike, NoticeEvent } from '../../src/index.js';
import { closeAfterTest, nextEvent as nextEmulatorEvent } from '../support/emulator.js';
import {
  startCuttingProxy,
  type CuttingProxy,
  type CuttingProxyOptions,
  type EmulatorEvent,
  type RunnerEmulator,
  type Script,
} from '../../src/testing/index.js';
import { failAfter } from '../support/within.js';

export { emulator } from '../support/emulator.js';

/** Every wait in this suite gives up after this long. */
export const WAIT_MS = 10_000;

/** Starts a cutting proxy that is closed after the test (before its emulator). */
export async function proxy(options: CuttingProxyOptions): Promise<CuttingProxy> {
  return closeAfterTest(await startCuttingProxy(options));
}

/**
 * Fast recovery settings, so a reconnect or a drain takes milliseconds, not the production
 * seconds. The request bounds stay generous: on a loaded 2-core machine, 100 concurrent
 * `POST /exec` can take most of a second.
 */
export const FAST: Omit<RunnerClientOptions, 'baseUrl'> = {
  reconnect: { initialDelay: 20, maxDelay: 40, budget: 2_000 },
  drainTimeout: 3_000,
  probeTimeout: 5_000,
  requestTimeout: 8_000,
  connectTimeout: 8_000,
  // These suites start their commands at POST /exec, as servers do without the client's start gate;
  // the gate has its own: test/integration/startGate*.test.ts.
  startGate: false,
  // These suites test recovery on short outputs against both replay shapes with the Go runner's
  // alignment (exact on both for what they write); finding the shape has its own suites:
  // test/integration/defaultOptions.test.ts, test/property/autoShape.property.test.ts.
  replayShape: 'ring',
};

/** A client for `em` (or for `baseUrl`, a proxy in front of it) with {@link FAST} settings. */
export function clientFor(em: RunnerEmulator, overrides: Partial<RunnerClientOptions> = {}): RunnerClient {
  return createRunnerClient({ baseUrl: em.url, token: em.token, ...FAST, ...overrides });
}

/** The next emulator event of this type (and execution), bounded by {@link WAIT_MS}. */
export const nextEvent = <T extends EmulatorEvent['type']>(em: RunnerEmulator, type: T, executionId?: string, ms = WAIT_MS) =>
  nextEmulatorEvent(em, type, executionId, ms);

/**
 * Resolves once the emulator has no attach socket open: at once if it has none, else at the
 * `detach` event that brings `stats.openSockets` to 0 (a client's Close reaches the server a
 * moment after the client saw the exit frame). Bounded by `ms`.
 */
export async function socketsClosed(em: RunnerEmulator, ms = WAIT_MS): Promise<void> {
  if (em.stats.openSockets === 0) return;
  await firstValueFrom(
    em.events.pipe(
      filter((e) => e.type === 'detach' && em.stats.openSockets === 0),
      failAfter(ms, () => `every attach socket to close (${em.stats.openSockets} still open)`),
    ),
  );
}

/** The `attach` event of the given attempt (0 for the first), bounded by `ms`. Call it before the attempt happens. */
export function attachAttempt(em: RunnerEmulator, attempt: number, ms = WAIT_MS): Promise<Extract<EmulatorEvent, { type: 'attach' }>> {
  return firstValueFrom(
    em.events.pipe(
      filter((e): e is Extract<EmulatorEvent, { type: 'attach' }> => e.type === 'attach' && e.attempt === attempt),
      failAfter(ms, `attach attempt ${attempt}`),
    ),
  );
}

/** Every `attach` event from now on, as `attempt:status` strings (tests run one execution each). */
export function attachLog(em: RunnerEmulator): string[] {
  const log: string[] = [];
  em.events.subscribe((e) => {
    if (e.type === 'attach') log.push(`${e.attempt}:${e.status}`);
  });
  return log;
}

/** What one subscription emitted, and how it ended. */
export interface Outcome {
  readonly events: readonly ExecEvent[];
  readonly error: unknown;
}

/** Subscribes, and collects every event and the error, if any; bounded by `ms`. */
export async function outcome(events$: Observable<ExecEvent>, ms = WAIT_MS): Promise<Outcome> {
  const notes = await firstValueFrom(
    events$.pipe(
      materialize(),
      toArray(),
      failAfter(ms, 'the execution to end'),
    ),
  );
  const events = notes.flatMap((note) => (note.kind === 'N' ? [note.value as ExecEvent] : []));
  const error = notes.find((note) => note.kind === 'E')?.error;
  return { events, error };
}

/** The exact outcome of a successful execution. */
export interface Finished {
  readonly executionId: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
  readonly exit: ExitEvent;
  /** Every notice but the reconnect ones: what a user must be warned of. */
  readonly notices: readonly NoticeEvent[];
  /** The `reconnecting` and `reconnected` notices, as `kind:reason` (`reconnected` has no reason). */
  readonly reconnects: readonly string[];
}

const isReconnectNotice = (notice: NoticeEvent): boolean => notice.kind === 'reconnecting' || notice.kind === 'reconnected';

const bytesOf = (events: readonly ExecEvent[], stream: 'stdout' | 'stderr'): Buffer =>
  Buffer.concat(events.flatMap((e) => (e.type === stream ? [e.data] : [])));

/** Runs `events$` to its end and checks it ended with exactly one exit event, last. */
export async function finish(events$: Observable<ExecEvent>, ms = WAIT_MS): Promise<Finished> {
  const { events, error } = await outcome(events$, ms);
  expect(error).toBeUndefined();
  const exits = events.filter((e): e is ExitEvent => e.type === 'exit');
  expect(exits).toHaveLength(1);
  expect(events.at(-1)).toBe(exits[0]);
  const started = events.find((e) => e.type === 'started');
  const stdoutBytes = bytesOf(events, 'stdout');
  return {
    executionId: started?.type === 'started' ? started.executionId : undefined,
    stdout: stdoutBytes.toString('utf8'),
    stderr: bytesOf(events, 'stderr').toString('utf8'),
    stdoutBytes,
    exit: exits[0] as ExitEvent,
    notices: events.filter((e): e is NoticeEvent => e.type === 'notice' && !isReconnectNotice(e)),
    reconnects: events.flatMap((e) => (e.type === 'notice' && isReconnectNotice(e) ? [e.reason === undefined ? e.kind : `${e.kind}:${e.reason}`] : [])),
  };
}

/** Stdout and stderr bytes of a list of events (for outcomes that ended in an error). */
export function outputOf(events: readonly ExecEvent[]): { readonly stdout: string; readonly stderr: string } {
  return { stdout: bytesOf(events, 'stdout').toString('utf8'), stderr: bytesOf(events, 'stderr').toString('utf8') };
}

/** One REST call the client made, as the observing fetch saw it. */
export interface FetchCall {
  readonly method: string;
  readonly url: string;
  status?: number;
  body?: string;
  aborted?: boolean;
}

/** Hooks of {@link observingFetch}; both may be async, and the client waits for them. */
export interface FetchHooks {
  /** Before the request is sent. A promise that never settles holds it until the client aborts. */
  readonly before?: (call: FetchCall) => Promise<void> | void;
  /** After the answer was read, before the client sees it. */
  readonly after?: (call: FetchCall) => Promise<void> | void;
}

/** A `fetch` for the client that records every call and lets a test act between call and answer. */
export function observingFetch(hooks: FetchHooks = {}): { readonly fetch: FetchLike; readonly calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const fetch: FetchLike = async (url, init) => {
    const call: FetchCall = { method: init.method, url };
    calls.push(call);
    const aborted = new Promise<never>((_, reject) => {
      init.signal.addEventListener('abort', () => {
        call.aborted = true;
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
    aborted.catch(() => undefined);
    await Promise.race([hooks.before?.(call), aborted]);
    const response = await globalThis.fetch(url, init);
    const body = await response.text();
    call.status = response.status;
    call.body = body;
    await hooks.after?.(call);
    return { status: response.status, statusText: response.statusText, headers: response.headers, text: async () => body };
  };
  return { fetch, calls };
}

/** Whether a call is a status probe (`GET …/executions/{id}`). */
export const isProbe = (call: FetchCall): boolean => call.method === 'GET' && /\/executions\/[^/]+$/.test(call.url);

/** `DELETE`s an execution straight on the emulator (not through the client under test). */
export async function evict(em: RunnerEmulator, executionId: string, boxId = 'box'): Promise<void> {
  const response = await fetch(`${em.url}/v1/boxes/${boxId}/executions/${encodeURIComponent(executionId)}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${em.token}` },
  });
  expect(response.status).toBe(204);
}

// ----- the standard command -----

/** Stdout chunks of the standard command: multi-byte UTF-8 included, so a cut can split a character. */
export const STDOUT_CHUNKS = ['line 1\n', 'line 2 – ünïcode ✓\n', 'line 3\n'] as const;
/** Stderr chunks of the standard command. */
export const STDERR_CHUNKS = ['warn 1\n', 'warn 2\n'] as const;
export const STDOUT = STDOUT_CHUNKS.join('');
export const STDERR = STDERR_CHUNKS.join('');
/** Payload bytes of each stream; the ring replays stdout first, then stderr. */
export const STDOUT_LENGTH = Buffer.byteLength(STDOUT);
export const STDERR_LENGTH = Buffer.byteLength(STDERR);
/** The standard command's exit code: not 0, so a wrong code shows. */
export const EXIT_CODE = 3;

/** A fast command: all its output, interleaved, then exit 3, all before anyone attaches. */
export const fastJob: Script = {
  steps: [
    { stdout: STDOUT_CHUNKS[0] },
    { stderr: STDERR_CHUNKS[0] },
    { stdout: STDOUT_CHUNKS[1] },
    { stderr: STDERR_CHUNKS[1] },
    { stdout: STDOUT_CHUNKS[2] },
    { exit: EXIT_CODE },
  ],
};

/** Writes `first\n` (stdout) and `err\n` (stderr), echoes stdin until `stdin_eof`, writes `last\n`, exits 5. */
export const interactive: Script = {
  steps: [{ stdout: 'first\n' }, { stderr: 'err\n' }, { echoStdin: true }, { stdout: 'last\n' }, { exit: 5 }],
};

/**
 * What a client receives of the standard command's replay when the connection is cut after `n`
 * payload bytes: the whole frames that fit (a frame cut in the middle is never delivered), split
 * into its streams. `single`: one frame per stream; `chunked`: one frame per written chunk.
 */
export function replayFrames(n: number, replay: (typeof REPLAY_MODES)[number]): { readonly stdout: Buffer; readonly stderr: Buffer } {
  const frames = replay === 'single' ? [['stdout', STDOUT], ['stderr', STDERR]] as const
    : [...STDOUT_CHUNKS.map((chunk) => ['stdout', chunk] as const), ...STDERR_CHUNKS.map((chunk) => ['stderr', chunk] as const)];
  const received = { stdout: '', stderr: '' };
  let sent = 0;
  for (const [stream, chunk] of frames) {
    sent += Buffer.byteLength(chunk);
    if (sent > n) break;
    received[stream] += chunk;
  }
  return { stdout: Buffer.from(received.stdout), stderr: Buffer.from(received.stderr) };
}

/** The two replay framings of docs/protocol.md §4: one frame per stream (Go runner), one per chunk (`boxlite serve`). */
export const REPLAY_MODES = ['single', 'chunked'] as const;
