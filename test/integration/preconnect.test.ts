/**
 * The `preconnect` option (default on) through `exec` against the emulator: after a cut of a
 * socket that made progress, the next socket is opened as the probe goes out, so its upgrade
 * overlaps the probe's round trip. Whatever the probe answers, every byte arrives once, in order,
 * and the socket opened ahead is either the one the client goes on with or closed.
 */

import { NEVER, Subject, firstValueFrom, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isExecutionGoneError } from '../../src/index.js';
import type { RunnerEmulator } from '../../src/testing/index.js';
import {
  EXIT_CODE,
  REPLAY_MODES,
  STDERR,
  STDOUT,
  attachAttempt,
  attachLog,
  clientFor,
  emulator,
  evict,
  fastJob,
  interactive,
  finish,
  isProbe,
  observingFetch,
  outcome,
  proxy,
  STDOUT_LENGTH,
  socketsClosed,
} from './support.js';

/**
 * Holds each probe's answer until the emulator accepted attach `attempt` (2 s at most, well inside
 * `probeTimeout`); `held` says, per probe, whether that happened. Only a socket opened before the
 * client knows the answer can be accepted meanwhile: without `preconnect`, `held` is `[false]`.
 */
function probeHeldUntilAttempt(em: RunnerEmulator, attempt: number) {
  const accepted = attachAttempt(em, attempt, 2_000).then(
    (event) => event.status === 101,
    () => false,
  );
  const held: boolean[] = [];
  const { fetch, calls } = observingFetch({
    after: async (call) => {
      if (isProbe(call)) held.push(await accepted);
    },
  });
  return { fetch, calls, held };
}

/** Every `attach` event as `attempt:status`, and every `slot-released` as `released`, in the order the emulator emits them. */
function slotLog(em: RunnerEmulator): string[] {
  const log: string[] = [];
  em.events.subscribe((e) => {
    if (e.type === 'attach') log.push(`${e.attempt}:${e.status}`);
    if (e.type === 'slot-released') log.push('released');
  });
  return log;
}

/** The first attach is cut once the replay's stdout is through: the socket made progress (in both replay shapes). */
const cutAfterStdout = { cut: { after: { outputBytes: STDOUT_LENGTH } } };

/**
 * The first attach is cut inside the replay, after a whole first frame: progress, and a replay
 * that the reconnect (no drain) aligns with certainty in both shapes. (A ring-mode client cannot
 * tell where a chunked replay equal to everything it has starts, and says so with a notice.)
 */
const cutAfterFirstFrame = (replay: string) => ({ cut: { after: { outputBytes: replay === 'single' ? STDOUT_LENGTH : 12 } } });

describe.each(REPLAY_MODES)('%s replay', (replay) => {
  it('probe says running: the socket opened ahead (accepted before the answer) is the reconnect; output once, in order', async () => {
    const em = await emulator({ replay, scripts: { cat: { ...interactive, attachFaults: [{ cut: { after: { outputBytes: 8 } } }] } } });
    const log = attachLog(em);
    const stdin = new Subject<string>();
    const { fetch, calls, held } = probeHeldUntilAttempt(em, 1);
    const finished = finish(clientFor(em, { fetch }).exec('box', { command: 'cat' }, { stdin }));
    await attachAttempt(em, 1);
    stdin.next('middle\n');
    stdin.complete();
    const result = await finished;
    expect(result).toMatchObject({ stdout: 'first\nmiddle\nlast\n', stderr: 'err\n', exit: { exitCode: 5, source: 'frame' }, notices: [] });
    expect(calls.filter(isProbe).map((call) => JSON.parse(call.body ?? '{}').status)).toEqual(['running']);
    expect(held).toEqual([true]);
    expect(log).toEqual(['0:101', '1:101']);
  });

  it('probe says completed: the socket opened ahead is the drain; its replay and exit frame, nothing twice', async () => {
    const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [cutAfterStdout] } } });
    const log = attachLog(em);
    const { fetch, calls, held } = probeHeldUntilAttempt(em, 1);
    const result = await finish(clientFor(em, { fetch }).exec('box', { command: 'job' }));
    expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
    expect(calls.filter(isProbe).map((call) => JSON.parse(call.body ?? '{}').status)).toEqual(['completed']);
    expect(held).toEqual([true]);
    expect(log).toEqual(['0:101', '1:101']);
  });

  it('probe unavailable (a 503): the socket opened ahead is closed unused; the reconnect after the delay gets all output once', async () => {
    const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [cutAfterFirstFrame(replay)] } } });
    let probes = 0;
    const front = await proxy({
      target: em.url,
      cut: () => false,
      refuse: ({ method, upgrade, path }) => (!upgrade && method === 'GET' && !path.endsWith('/attach') && probes++ === 0 ? 503 : undefined),
    });
    const order = slotLog(em);
    const { fetch, held } = probeHeldUntilAttempt(em, 1);
    const result = await finish(clientFor(em, { baseUrl: front.url, fetch }).exec('box', { command: 'job' }));
    expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
    expect(held).toEqual([true]);
    await socketsClosed(em);
    // 0: cut; 1: opened as the 503 probe went out, closed when it came back; then the reconnect.
    // The client's Close of 1 and the reconnect race to the server: until the server has seen the
    // Close, 1 holds the slot, and the reconnect is refused (409) and retried; never after.
    const refused = order.filter((entry) => entry.endsWith(':409')).length;
    expect(order).toEqual([
      '0:101',
      'released',
      '1:101',
      ...Array.from({ length: refused }, (_, i) => `${i + 2}:409`),
      'released',
      `${refused + 2}:101`,
      'released',
    ]);
    expect(em.stats.rejected409).toBe(refused);
  });

  it('probe says gone (evicted before the answer): ExecutionGoneError, and the socket opened ahead is closed', async () => {
    const em = await emulator({ replay, scripts: { cat: { ...interactive, attachFaults: [{ cut: { after: { outputBytes: 8 } } }] } } });
    const accepted = attachAttempt(em, 1);
    const { fetch } = observingFetch({
      before: async (call) => {
        if (!isProbe(call)) return;
        await accepted;
        await evict(em, decodeURIComponent(call.url.split('/').at(-1) as string));
      },
    });
    const { events, error } = await outcome(clientFor(em, { fetch }).exec('box', { command: 'cat' }, { stdin: NEVER }));
    expect(isExecutionGoneError(error)).toBe(true);
    expect(events.filter((e) => e.type === 'exit')).toEqual([]);
    await socketsClosed(em);
  });

  it('unsubscribing while the probe is in flight closes the socket opened ahead', async () => {
    const em = await emulator({ replay, scripts: { cat: { ...interactive, attachFaults: [{ cut: { after: { outputBytes: 8 } } }] } } });
    const accepted = attachAttempt(em, 1);
    const { fetch } = observingFetch({ before: (call) => (isProbe(call) ? new Promise<void>(() => undefined) : undefined) });
    const subscription = clientFor(em, { fetch }).exec('box', { command: 'cat' }, { stdin: NEVER }).subscribe({ error: () => undefined });
    expect(await accepted).toMatchObject({ attempt: 1, status: 101 });
    subscription.unsubscribe();
    await socketsClosed(em);
    await firstValueFrom(timer(100));
    expect(em.stats).toMatchObject({ attachAttempts: 2, openSockets: 0 });
  });
});
