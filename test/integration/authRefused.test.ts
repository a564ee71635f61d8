// @module-tag slow/sockets
/**
 * Issue 24 item 5 against the emulator on 127.0.0.1, with real sockets: a refused upgrade for auth
 * is an error, never a quiet exit. A 401/403 on any attach (the first, the drain after a cut, a
 * reconnect) ends the execution with `AttachRejectedError`; with a socket that shows no status (a
 * runtime's own WebSocket, stood in for by `ws` behind `StatuslessWebSocket`), a refusal is
 * retried as a possible 409 and drains exactly once it is accepted, and when no socket of the
 * execution ever opened it ends with `AttachRejectedError` (status unknown), never with the
 * probed exit code and empty output (BoxLite PR #627's symptom, caused by a wrong `webSocketAuth`).
 */

import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isAttachRejectedError, type WebSocketConstructor } from '../../src/index.js';
import { StatuslessWebSocket } from '../support/statuslessWebSocket.js';
import type { RunnerEmulator, Script } from '../../src/testing/index.js';
import { EXIT_CODE, STDERR, STDOUT, attachLog, clientFor, emulator, fastJob, finish, outcome, proxy } from './support.js';

const Statusless = StatuslessWebSocket as unknown as WebSocketConstructor;
const HINT = '(likely a wrong token or webSocketAuth)';

/** The error, checked for its type and for the token in any field or cause; then its fields. */
function rejection(em: RunnerEmulator, error: unknown): { name: string; message: string; status: number | undefined } {
  expect(isAttachRejectedError(error), `not an AttachRejectedError: ${inspect(error)}`).toBe(true);
  expect(inspect(error, { depth: null })).not.toContain(em.token);
  const { name, message, status } = error as Error & { status: number | undefined };
  return { name, message, status };
}

/** The events as types, stdout and notices by kind: what reached the subscriber before the error. */
const kinds = (events: readonly { type: string; kind?: string }[]): string[] => events.map((e) => (e.type === 'notice' ? `notice:${e.kind}` : e.type));

describe('a known 401/403 ends the execution with AttachRejectedError', () => {
  it('401 on the first attach (webSocketAuth none with ws against a server that needs the header): at once, no retry', async () => {
    const em = await emulator({ scripts: { job: fastJob } });
    const log = attachLog(em);
    const started = performance.now();
    const { events, error } = await outcome(clientFor(em, { webSocketAuth: 'none' }).exec('box', { command: 'job' }));
    expect(rejection(em, error)).toEqual({ name: 'AttachRejectedError', message: `attach refused: missing or invalid bearer token ${HINT}`, status: 401 });
    expect(kinds(events)).toEqual(['started']);
    expect(log).toEqual([]);
    expect(em.stats).toMatchObject({ unauthorized: 1, attachAttempts: 0 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('401 on the drain after a cut (the cutting proxy cuts the first attach after its 101): the error, not the probed exit with empty output', async () => {
    const em = await emulator({ scripts: { job: fastJob } });
    const cutter = await proxy({ target: em.url, refuse: (request) => (request.upgrade && cutter.stats.upgrades > 1 ? 401 : undefined) });
    const started = performance.now();
    const { events, error } = await outcome(clientFor(em, { baseUrl: cutter.url }).exec('box', { command: 'job' }));
    expect(rejection(em, error)).toEqual({ name: 'AttachRejectedError', message: `attach refused: HTTP 401 ${HINT}`, status: 401 });
    expect(kinds(events)).toEqual(['started']);
    expect(cutter.stats).toMatchObject({ upgrades: 2, cuts: 1, refused: 1 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('403 on a reconnect while the command runs: the output so far once, then the error', async () => {
    const job: Script = {
      steps: [{ stdout: 'line one\n' }, { waitMs: 2_000 }, { stdout: 'line two\n' }, { exit: 0 }],
      attachFaults: [{ cut: { after: { outputBytes: 9 } } }, { reject: { status: 403 } }],
    };
    const em = await emulator({ scripts: { job } });
    const log = attachLog(em);
    const started = performance.now();
    const { events, error } = await outcome(clientFor(em).exec('box', { command: 'job' }));
    expect(rejection(em, error)).toEqual({ name: 'AttachRejectedError', message: `attach refused: HTTP 403 ${HINT}`, status: 403 });
    expect(kinds(events)).toEqual(['started', 'stdout', 'notice:reconnecting']);
    expect(new TextDecoder().decode((events[1] as { data: Uint8Array }).data)).toBe('line one\n');
    expect(log).toEqual(['0:101', '1:403']);
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe('a refusal without a status (StatuslessWebSocket: ws dressed as a runtime WebSocket)', () => {
  it('409s it cannot see on the drain are retried within the deadline: drained exactly, the exit frame', async () => {
    const job: Script = {
      ...fastJob,
      attachFaults: [{ cut: { after: 'before-exit' } }, { reject: { status: 409 } }, { reject: { status: 409 } }],
    };
    const em = await emulator({ scripts: { job } });
    const log = attachLog(em);
    const started = performance.now();
    const result = await finish(clientFor(em, { WebSocket: Statusless, conflictBackoff: { initialDelay: 20, maxDelay: 40 } }).exec('box', { command: 'job' }));
    expect(result.stdoutBytes.equals(Buffer.from(STDOUT))).toBe(true);
    expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
    expect(log).toEqual(['0:101', '1:409', '2:409', '3:101']);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('every upgrade refused (webSocketAuth none, the header needed): AttachRejectedError with no status, not exit 0 with empty stdout', async () => {
    const em = await emulator({ scripts: { job: fastJob } });
    const started = performance.now();
    const { events, error } = await outcome(
      clientFor(em, { WebSocket: Statusless, webSocketAuth: 'none', drainTimeout: 1_000, conflictBackoff: { initialDelay: 20, maxDelay: 100 } }).exec('box', {
        command: 'job',
      }),
    );
    expect(rejection(em, error)).toEqual({ name: 'AttachRejectedError', message: `attach refused: status unknown ${HINT}`, status: undefined });
    expect(events.filter((e) => e.type !== 'notice' || e.kind !== 'reconnecting').map((e) => e.type)).toEqual(['started']);
    expect(em.stats).toMatchObject({ attachAttempts: 0, attaches: 0 });
    expect(em.stats.unauthorized).toBeGreaterThan(2);
    expect(performance.now() - started).toBeLessThan(4_000);
  });
});
