// @module-tag slow/sockets
/**
 * A runner draining for a deploy (docs/protocol.md §7), over real sockets against the emulator:
 * `POST /exec` answered 503 "runner is draining" is waited out (nothing was created), any other
 * 503 is final at once, the wait is bounded by `drainingWait`, and a drain re-attach that meets
 * the draining 503 waits it out like a 409 and drains every byte once.
 */

import { describe, expect, it } from 'vitest';
import { isBoxliteHttpError } from '../../src/errors.js';
import type { Script } from '../../src/testing/index.js';
import { realisticOutput } from '../support/realisticOutput.js';
import { attachLog, clientFor, emulator, finish, observingFetch, outcome, type Finished } from './support.js';

/** Realistic output, both streams interleaved: log lines with a long shared ending, binary, split UTF-8. */
const logs = realisticOutput('logs', 6_000, 22);
const binary = realisticOutput('binary', 3_000, 22);
const utf8 = realisticOutput('utf8', 2_000, 22);
const steps: Script['steps'] = [
  ...logs.map((chunk, i) => (i % 3 === 2 ? { stderr: chunk } : { stdout: chunk })),
  ...binary.map((stdout) => ({ stdout })),
  ...utf8.map((stderr) => ({ stderr })),
  { exit: 7 },
];
const isStdout = (step: Script['steps'][number]): step is { stdout: Uint8Array } => 'stdout' in step;
const isStderr = (step: Script['steps'][number]): step is { stderr: Uint8Array } => 'stderr' in step;
const STDOUT = Buffer.concat(steps.filter(isStdout).map((step) => step.stdout));
const STDERR = Buffer.concat(steps.filter(isStderr).map((step) => step.stderr));
const job: Script = { steps };

/** Every byte once, in order, the exit from the server's frame, and no notice of loss. */
function expectEveryByteOnce(result: Finished): void {
  expect(result.stdoutBytes.equals(STDOUT)).toBe(true);
  expect(result.stderr).toBe(STDERR.toString('utf8'));
  expect(result.exit).toEqual({ type: 'exit', exitCode: 7, source: 'frame' });
  expect(result.notices).toEqual([]);
}

const isExecPost = (call: { method: string; url: string }): boolean => call.method === 'POST' && call.url.endsWith('/exec');

describe('POST /exec on a draining runner', () => {
  it('503 twice, then 201: one execution created, two server-draining notices, then every byte once', async () => {
    const em = await emulator({ scripts: { job }, draining: { execs: 2 } });
    const { fetch, calls } = observingFetch();
    const { events, error } = await outcome(clientFor(em, { fetch }).exec('box', { command: 'job' }));
    expect(error).toBeUndefined();
    expect(calls.filter(isExecPost).map((call) => call.status)).toEqual([503, 503, 201]);
    expect(calls.filter(isExecPost)[0]?.body).toBe('{"error":"runner is draining"}');
    expect(em.stats).toMatchObject({ executions: 1, drainingRefusals: 2 });
    expect(events.slice(0, 3)).toEqual([
      { type: 'notice', kind: 'server-draining', message: 'runner is draining: POST /exec again in 500 ms', attempt: 1, delay: 500 },
      { type: 'notice', kind: 'server-draining', message: 'runner is draining: POST /exec again in 1000 ms', attempt: 2, delay: 1000 },
      { type: 'started', executionId: expect.any(String) },
    ]);
    const bytes = (stream: 'stdout' | 'stderr'): Buffer => Buffer.concat(events.flatMap((e) => (e.type === stream ? [e.data] : [])));
    expect(bytes('stdout').equals(STDOUT)).toBe(true);
    expect(bytes('stderr').equals(STDERR)).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'exit', exitCode: 7, source: 'frame' });
    expect(events.filter((e) => e.type === 'notice')).toHaveLength(2);
  });

  it.each([
    ['a proxy in front (an HTML page)', { errorShape: 'proxy' } as const, 'exec: HTTP 503 Service Unavailable'],
    ["boxlite serve's shape (serve does not drain: an unknown 503)", { server: 'serve' } as const, 'exec: runner is draining'],
  ])('any other 503 is final at once: %s, one request, no notice', async (_, preset, message) => {
    const em = await emulator({ scripts: { job }, draining: { execs: 1 }, ...preset });
    const { fetch, calls } = observingFetch();
    const { events, error } = await outcome(clientFor(em, { fetch }).exec('box', { command: 'job' }));
    expect(events).toEqual([]);
    expect(isBoxliteHttpError(error)).toBe(true);
    expect(error).toMatchObject({ message, status: 503 });
    expect(calls.filter(isExecPost)).toHaveLength(1);
    expect(em.stats).toMatchObject({ executions: 0, drainingRefusals: 1 });
  });

  it('the wait runs out: attempts at 0, 500 and 700 ms, then the exact error, nothing created', async () => {
    const em = await emulator({ scripts: { job }, draining: true });
    const { fetch, calls } = observingFetch();
    const started = performance.now();
    const { events, error } = await outcome(clientFor(em, { fetch, drainingWait: 700 }).exec('box', { command: 'job' }));
    const took = performance.now() - started;
    // The second wait is what is left of the 700 ms after the second answer: 200 ms less that answer's round trip.
    expect(events.map((e) => (e.type === 'notice' ? e.kind : e.type))).toEqual(['server-draining', 'server-draining']);
    expect(events.map((e) => (e.type === 'notice' ? e.attempt : undefined))).toEqual([1, 2]);
    const secondWait = events[1]?.type === 'notice' ? (events[1].delay as number) : NaN;
    expect(events[0]).toMatchObject({ delay: 500 });
    expect(secondWait).toBeGreaterThan(0);
    expect(secondWait).toBeLessThanOrEqual(200);
    expect(isBoxliteHttpError(error)).toBe(true);
    expect(error).toMatchObject({ message: 'exec: runner is draining (waited 700 ms)', status: 503, code: undefined });
    expect(calls.filter(isExecPost).map((call) => call.status)).toEqual([503, 503, 503]);
    expect(em.stats).toMatchObject({ executions: 0, drainingRefusals: 3 });
    expect(took).toBeGreaterThanOrEqual(690);
    expect(took).toBeLessThan(5_000);
  });

  it.each([[false], [0]] as const)('drainingWait %s: the draining 503 is final at once', async (drainingWait) => {
    const em = await emulator({ scripts: { job }, draining: { execs: 1 } });
    const { events, error } = await outcome(clientFor(em, { drainingWait }).exec('box', { command: 'job' }));
    expect(events).toEqual([]);
    expect(error).toMatchObject({ name: 'BoxliteHttpError', message: 'exec: runner is draining', status: 503 });
    expect(em.stats).toMatchObject({ executions: 0, drainingRefusals: 1 });
  });
});

describe('attaches to a draining runner', () => {
  it('the drain re-attach after a cut meets 503 twice, waits it out like a 409, and drains every byte once from the exit frame', async () => {
    const em = await emulator({ scripts: { job: { ...job, attachFaults: [{ cut: { after: 'before-exit' } }] } } });
    const log = attachLog(em);
    // The runner starts draining as the first socket opens: the re-attach after its cut is refused twice.
    em.events.subscribe((event) => {
      if (event.type === 'attach' && event.attempt === 0) em.setDraining({ attaches: 2 });
    });
    const result = await finish(clientFor(em, { preconnect: false }).exec('box', { command: 'job' }));
    expectEveryByteOnce(result);
    expect(log).toEqual(['0:101', '1:503', '2:503', '3:101']);
    expect(em.stats).toMatchObject({ drainingRefusals: 2, executions: 1 });
  });

  it('the first attach of a command that already ended meets 503 twice: the probe says ended, the drain waits it out, every byte once', async () => {
    const em = await emulator({ scripts: { job }, draining: { attaches: 2 } });
    const log = attachLog(em);
    const result = await finish(clientFor(em).exec('box', { command: 'job' }));
    expectEveryByteOnce(result);
    expect(result.reconnects).toEqual([]);
    expect(log).toEqual(['0:503', '1:503', '2:101']);
  });

  it('the first attach of a running command meets 503 twice: the refused-connect path (reconnecting, refused), then every byte once', async () => {
    // Still running when the 503s come: the probe says so, and the reconnect's short backoff waits the drain out.
    const running: Script = { steps: [{ stdout: STDOUT.subarray(0, 100) }, { waitMs: 1_000 }, { stdout: STDOUT.subarray(100) }, { stderr: STDERR }, { exit: 7 }] };
    const em = await emulator({ scripts: { running }, draining: { attaches: 2 } });
    const log = attachLog(em);
    const result = await finish(clientFor(em).exec('box', { command: 'running' }));
    expectEveryByteOnce(result);
    expect(result.reconnects).toEqual(['reconnecting:refused', 'reconnecting:refused', 'reconnected']);
    expect(log).toEqual(['0:503', '1:503', '2:101']);
  });
});
