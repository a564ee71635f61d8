/**
 * docs/protocol.md §6 cases 7 and 8 through `exec` against the emulator: after a cut the probe says the
 * command still runs, or cannot tell (a 503 from a real proxy in front of the runner): the client
 * reconnects with backoff and the output continues without a repeated byte. A 404 probe ends it
 * with `ExecutionGoneError`.
 */

import { Subject, filter, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ExecutionGoneError, ReconnectBudgetExceededError, isExecutionGoneError, isReconnectBudgetExceededError } from '../../src/index.js';
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
  outputOf,
  proxy,
  replayFrames,
} from './support.js';

describe.each(REPLAY_MODES)('%s replay', (replay) => {
  describe('case 7: the probe says running', () => {
    it.each([3, 6, 8])('cut after %i bytes: reconnects, the replayed prefix is skipped, the output continues', async (n) => {
      const em = await emulator({ replay, scripts: { cat: { ...interactive, attachFaults: [{ cut: { after: { outputBytes: n } } }] } } });
      const log = attachLog(em);
      const stdin = new Subject<string>();
      const { fetch, calls } = observingFetch();
      const result$ = clientFor(em, { fetch }).exec('box', { command: 'cat' }, { stdin });
      // The command waits for stdin, so it is still running when the client probes. Once the
      // reconnect is in, stdin finishes it.
      const reconnected = attachAttempt(em, 1);
      const finished = finish(result$);
      expect(await reconnected).toMatchObject({ attempt: 1, status: 101 });
      stdin.next('middle\n');
      stdin.complete();
      const result = await finished;
      expect(result).toMatchObject({ stdout: 'first\nmiddle\nlast\n', stderr: 'err\n', exit: { exitCode: 5, source: 'frame' }, notices: [] });
      expect(calls.filter(isProbe).map((call) => JSON.parse(call.body ?? '{}').status)).toEqual(['running']);
      expect(log).toEqual(['0:101', '1:101']);
    });

    it('reconnects as often as the probe says running, until the exit frame', async () => {
      const em = await emulator({
        replay,
        scripts: {
          cat: { ...interactive, attachFaults: [{ cut: { after: { outputBytes: 2 } } }, { cut: { after: { outputBytes: 7 } } }, { cut: { after: 'replay' } }] },
        },
      });
      const stdin = new Subject<string>();
      const fourth = attachAttempt(em, 3);
      const finished = finish(clientFor(em).exec('box', { command: 'cat' }, { stdin }));
      expect(await fourth).toMatchObject({ attempt: 3, status: 101 });
      stdin.next('middle\n');
      stdin.complete();
      expect(await finished).toMatchObject({ stdout: 'first\nmiddle\nlast\n', stderr: 'err\n', exit: { exitCode: 5, source: 'frame' }, notices: [] });
      expect(em.stats.cuts).toBe(3);
    });
  });

  describe('prompt reconnect (the reconnect policy)', () => {
    it('a cut while the command runs: the re-attach starts at once, announced; the output continues', async () => {
      const em = await emulator({ replay, scripts: { cat: { ...interactive, attachFaults: [{ cut: { after: { outputBytes: 6 } } }] } } });
      const stdin = new Subject<string>();
      const cutAt = firstValueFrom(em.events.pipe(filter((e) => e.type === 'detach')));
      const second = attachAttempt(em, 1);
      const finished = finish(clientFor(em, { reconnect: { initialDelay: 60_000, maxDelay: 60_000 } }).exec('box', { command: 'cat' }, { stdin }));
      await cutAt;
      const cut = performance.now();
      await second;
      // One status probe and one upgrade on loopback: far below any backoff.
      expect(performance.now() - cut).toBeLessThan(500);
      stdin.next('middle\n');
      stdin.complete();
      const result = await finished;
      expect(result).toMatchObject({ stdout: 'first\nmiddle\nlast\n', stderr: 'err\n', exit: { exitCode: 5, source: 'frame' }, notices: [] });
      expect(result.reconnects).toEqual(['reconnecting:cut', 'reconnected']);
    });

    it('sockets the server accepts are progress: a silent command whose sockets are recycled 20 times is followed to its exit', async () => {
      const em = await emulator({ replay, scripts: { cat: interactive }, faults: ({ attempt }) => (attempt < 20 ? { cut: { after: 'replay' } } : undefined) });
      const stdin = new Subject<string>();
      const last = attachAttempt(em, 20);
      // Each socket counts as progress at once (healthyAfter 0), so the 300 ms budget bounds only
      // consecutive failures and is never spent, though the 20 reconnects take longer than that.
      const client = clientFor(em, { reconnect: { budget: 300, healthyAfter: 0 } });
      const finished = finish(client.exec('box', { command: 'cat' }, { stdin }));
      await last;
      stdin.next('middle\n');
      stdin.complete();
      const result = await finished;
      expect(result).toMatchObject({ stdout: 'first\nmiddle\nlast\n', stderr: 'err\n', exit: { exitCode: 5, source: 'frame' }, notices: [] });
      expect(result.reconnects.filter((r) => r === 'reconnecting:cut')).toHaveLength(20);
      expect(em.stats.cuts).toBe(20);
    });

    it('a 409 while the cut socket still holds the slot: retried with short backoff until the slot is free', async () => {
      const em = await emulator({ replay, scripts: { cat: { ...interactive, attachFaults: [{ cut: { after: { outputBytes: 6 }, holdSlotMs: 400 } }] } } });
      const stdin = new Subject<string>();
      const log = attachLog(em);
      const finished = finish(clientFor(em).exec('box', { command: 'cat' }, { stdin }));
      await firstValueFrom(em.events.pipe(filter((e) => e.type === 'attach' && e.status === 101 && e.attempt > 0)));
      stdin.next('middle\n');
      stdin.complete();
      const result = await finished;
      expect(result.stdout).toBe('first\nmiddle\nlast\n');
      expect(log.slice(1, -1).every((entry) => entry.endsWith(':409'))).toBe(true);
      expect(log.length).toBeGreaterThanOrEqual(3);
      expect(result.reconnects[0]).toBe('reconnecting:cut');
      expect(result.reconnects.slice(1, -1).every((r) => r === 'reconnecting:conflict')).toBe(true);
      expect(result.reconnects.at(-1)).toBe('reconnected');
    });
  });

  describe('the reconnect budget', () => {
    it('every attach cut while the command keeps running: ReconnectBudgetExceededError once the budget is spent', async () => {
      const em = await emulator({ replay, scripts: { cat: interactive }, faults: () => ({ cut: { after: 'upgrade' } }) });
      const client = clientFor(em, { reconnect: { initialDelay: 20, maxDelay: 40, budget: 200 } });
      const { events, error } = await outcome(client.exec('box', { command: 'cat' }, { stdin: new Subject<string>() }));
      expect(error).toBeInstanceOf(ReconnectBudgetExceededError);
      expect(isReconnectBudgetExceededError(error)).toBe(true);
      expect(error).toMatchObject({ name: 'ReconnectBudgetExceededError', cause: { name: 'ReconnectRequiredError', probe: { state: 'running' } } });
      // Sockets cut at once made no progress: the first cut reconnects at once, the next ones back off.
      expect(events.filter((event) => event.type !== 'notice').map((event) => event.type)).toEqual(['started']);
      const tries = events.flatMap((event) => (event.type === 'notice' && event.kind === 'reconnecting' ? [{ reason: event.reason, delay: event.delay ?? 0 }] : []));
      expect(tries[0]).toEqual({ reason: 'cut', delay: 0 });
      expect(tries.slice(1).every(({ reason, delay }) => reason === 'cut' && delay > 0)).toBe(true);
      expect(em.stats.cuts).toBe(em.stats.attachAttempts);
      expect(em.stats.attachAttempts).toBeGreaterThanOrEqual(3);
    });
  });

  describe('case 8: the probe fails, or says gone', () => {
    it('a 503 from the proxy on the probe: reconnects and gets all output once', async () => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 12 } } }] } } });
      let probes = 0;
      const front = await proxy({
        target: em.url,
        cut: () => false,
        refuse: ({ method, upgrade, path }) => (!upgrade && method === 'GET' && !path.endsWith('/attach') && probes++ === 0 ? 503 : undefined),
      });
      const log = attachLog(em);
      const { fetch, calls } = observingFetch();
      // preconnect off: one socket per probe answer (test/integration/preconnect.test.ts has it on).
      const result = await finish(clientFor(em, { baseUrl: front.url, fetch, preconnect: false }).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
      // One probe only: the reconnect got the exit frame, so no second cut and no second probe.
      expect(calls.filter(isProbe).map((call) => call.status)).toEqual([503]);
      expect(front.stats.refused).toBe(1);
      expect(log).toEqual(['0:101', '1:101']);
    });

    it('the probe times out (probeTimeout): reconnects and gets all output once', async () => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 12 } } }] } } });
      // The first probe is held until the client gives up on it (probeTimeout: 100 ms, waited for real) and aborts it.
      const { fetch, calls } = observingFetch({ before: (call) => (isProbe(call) ? new Promise<void>(() => undefined) : undefined) });
      const result = await finish(clientFor(em, { fetch, probeTimeout: 100 }).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
      expect(calls.filter(isProbe).map((call) => call.aborted)).toEqual([true]);
    });

    it('a 404 probe (the execution was evicted): ExecutionGoneError, by class and name, after the output delivered so far', async () => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 12 } } }] } } });
      const log = attachLog(em);
      const { fetch, calls } = observingFetch({
        before: async (call) => {
          if (isProbe(call)) await evict(em, decodeURIComponent(call.url.split('/').at(-1) as string));
        },
      });
      const { events, error } = await outcome(clientFor(em, { fetch }).exec('box', { command: 'job' }));
      const started = events[0];
      expect(started?.type).toBe('started');
      const id = started?.type === 'started' ? started.executionId : '';
      expect(error).toBeInstanceOf(ExecutionGoneError);
      expect(isExecutionGoneError(error)).toBe(true);
      expect(error).toMatchObject({ name: 'ExecutionGoneError', executionId: id, message: `execution gone: execution ${id} not found` });
      expect(outputOf(events)).toEqual({ stdout: replayFrames(12, replay).stdout.toString('utf8'), stderr: '' });
      expect(events.some((event) => event.type === 'exit')).toBe(false);
      expect(calls.filter(isProbe).map((call) => call.status)).toEqual([404]);
      expect(log).toEqual(['0:101']);
    });
  });
});
