/**
 * docs/protocol.md §6 cases 10, 11 and 12 through `exec` against the emulator: a silent command is not a
 * dead socket, error and malformed frames become notices without harming the output, and an
 * unsubscribe at any moment closes the socket and aborts what is in flight.
 */

import { Subject, firstValueFrom, of, tap, timer, type Observable, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ExecEvent } from '../../src/index.js';
import { type Script } from '../../src/testing/index.js';
import {
  EXIT_CODE,
  STDERR,
  STDOUT,
  attachAttempt,
  attachLog,
  clientFor,
  emulator,
  fastJob,
  finish,
  isProbe,
  nextEvent,
  observingFetch,
  socketsClosed,
} from './support.js';

/** Subscribes; `seen` resolves with the first matching event, and the subscription stays open. */
function subscribeUntil(
  events$: Observable<ExecEvent>,
  match: (event: ExecEvent) => boolean,
): { readonly subscription: Subscription; readonly seen: Promise<ExecEvent> } {
  let subscription!: Subscription;
  const seen = new Promise<ExecEvent>((resolve, reject) => {
    subscription = events$.subscribe({ next: (event) => match(event) && resolve(event), error: reject });
  });
  return { subscription, seen };
}

describe('case 10: a silent command', () => {
  // These tests wait for real: the point is that time passes without a frame. Each wait is a few
  // hundred ms, bounded by the emulator's fault and the client's idle bound.
  it('the first frame comes 300 ms after the upgrade, pings every 50 ms, idle bound 150 ms: no false disconnect', async () => {
    const em = await emulator({ pingIntervalMs: 50, scripts: { job: { ...fastJob, attachFaults: [{ firstFrameDelayMs: 300 }] } } });
    const log = attachLog(em);
    const result = await finish(clientFor(em, { idleTimeout: 150 }).exec('box', { command: 'job' }));
    expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
    expect(log).toEqual(['0:101']);
  });

  it('a command silent for 300 ms while it runs: no false disconnect', async () => {
    const silent: Script = { steps: [{ waitMs: 300 }, { stdout: 'late\n' }, { exit: 0 }] };
    const em = await emulator({ pingIntervalMs: 50, scripts: { silent } });
    const { fetch, calls } = observingFetch();
    const result = await finish(clientFor(em, { idleTimeout: 150, fetch }).exec('box', { command: 'silent' }));
    expect(result).toMatchObject({ stdout: 'late\n', exit: { exitCode: 0, source: 'frame' }, notices: [] });
    expect(calls.filter(isProbe)).toEqual([]);
    expect(em.stats.attachAttempts).toBe(1);
  });

  it('control: without pings, the silence is taken for a dead socket at ~200 ms, and recovered from', async () => {
    // The first attach would stay silent for 5 s; the client gives it up well before that.
    const em = await emulator({ pingIntervalMs: 60_000, scripts: { job: { ...fastJob, attachFaults: [{ firstFrameDelayMs: 5_000 }] } } });
    const log = attachLog(em);
    const result = await finish(clientFor(em, { idleTimeout: 150 }).exec('box', { command: 'job' }));
    expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
    expect(log).toEqual(['0:101', '1:101']);
  });
});

describe('case 11: error, unknown and malformed frames', () => {
  it('every injected frame becomes one notice, in order; the output and the exit are intact', async () => {
    const inject = ['error-frame', 'unknown-type', 'invalid-json', 'unknown-channel', 'empty-binary', 'exit-without-code', 'exit-non-integer'] as const;
    const em = await emulator({ scripts: { job: { ...fastJob, attachFaults: [{ inject }] } } });
    const result = await finish(clientFor(em).exec('box', { command: 'job' }));
    expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' } });
    expect(result.notices).toEqual([
      { type: 'notice', kind: 'server-error', message: 'injected error frame' },
      { type: 'notice', kind: 'malformed-frame', message: 'unknown text frame type "progress"' },
      { type: 'notice', kind: 'malformed-frame', message: 'invalid JSON in a text frame (15 chars)' },
      { type: 'notice', kind: 'malformed-frame', message: 'unknown channel byte 0x03', bytes: 1 },
      { type: 'notice', kind: 'malformed-frame', message: 'empty binary frame' },
      { type: 'notice', kind: 'malformed-frame', message: 'exit frame without an integer exit_code' },
      { type: 'notice', kind: 'malformed-frame', message: 'exit frame without an integer exit_code' },
    ]);
    expect(em.stats.attachAttempts).toBe(1);
  });

  it("the server's own error frame (a resize of a non-TTY execution) is a notice; the socket stays open", async () => {
    const em = await emulator({ scripts: { cat: { steps: [{ stdout: 'first\n' }, { echoStdin: true }, { exit: 0 }] } } });
    const stdin = new Subject<string>();
    // The command waits for stdin, which is only sent once the notice arrived: the order is fixed.
    const events$ = clientFor(em)
      .exec('box', { command: 'cat' }, { stdin, resize: of({ cols: 80, rows: 24 }) })
      .pipe(
        tap((event) => {
          if (event.type !== 'notice') return;
          stdin.next('after\n');
          stdin.complete();
        }),
      );
    const result = await finish(events$);
    expect(result.notices.map((n) => [n.kind, n.message])).toEqual([['server-error', `execution ${result.executionId as string} is not a TTY`]]);
    expect(result).toMatchObject({ stdout: 'first\nafter\n', exit: { exitCode: 0, source: 'frame' } });
    expect(em.stats.attachAttempts).toBe(1);
  });
});

describe('case 12: the subscriber unsubscribes', () => {
  /** Runs until one tail line has come, without a cut. */
  const tail: Script = { steps: [{ stdout: 'tick\n' }, { waitMs: 60_000 }, { stdout: 'never\n' }] };

  it('mid-stream: the socket is closed with 1000, nothing is left open, the command keeps running', async () => {
    const em = await emulator({ scripts: { tail } });
    const detached = nextEvent(em, 'detach');
    const { subscription, seen } = subscribeUntil(clientFor(em).exec('box', { command: 'tail' }), (event) => event.type === 'stdout');
    await seen;
    subscription.unsubscribe();
    const detach = await detached;
    expect(detach.code).toBe(1000);
    expect(em.stats.openSockets).toBe(0);
    expect(em.execution(detach.executionId)).toMatchObject({ status: 'running', signals: [] });
  });

  it('while the probe is in flight: the request is aborted and no attach follows', async () => {
    const em = await emulator({ scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: 'upgrade' } }] } } });
    let probing!: () => void;
    const probeSent = new Promise<void>((resolve) => {
      probing = resolve;
    });
    const { fetch, calls } = observingFetch({
      before: (call) => {
        if (!isProbe(call)) return undefined;
        probing();
        return new Promise<void>(() => undefined);
      },
    });
    const { subscription } = subscribeUntil(clientFor(em, { fetch }).exec('box', { command: 'job' }), () => false);
    await probeSent;
    subscription.unsubscribe();
    expect(calls.filter(isProbe).map((call) => call.aborted)).toEqual([true]);
    await socketsClosed(em);
    expect(em.stats).toMatchObject({ attachAttempts: 1, openSockets: 0 });
  });

  it('during the drain re-attach: that socket is closed too', async () => {
    const em = await emulator({ scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: 'upgrade' } }, { suppressExit: true }] } } });
    const drainAttach = attachAttempt(em, 1);
    const { subscription, seen } = subscribeUntil(clientFor(em).exec('box', { command: 'job' }), (event) => event.type === 'stderr');
    await drainAttach;
    await seen;
    expect(em.stats.openSockets).toBe(1);
    const detached = nextEvent(em, 'detach');
    subscription.unsubscribe();
    expect((await detached).code).toBe(1000);
    expect(em.stats.openSockets).toBe(0);
  });

  // The first cut reconnects at once; the second, with no progress between, waits the 200 ms
  // backoff, and the unsubscribe comes inside it.
  it('during the reconnect backoff: the timer is cleared, no attach follows', async () => {
    const em = await emulator({ scripts: { cat: { steps: [{ echoStdin: true }], attachFaults: [{ cut: { after: 'upgrade' } }, { cut: { after: 'upgrade' } }] } } });
    let answered!: () => void;
    const probeAnswered = new Promise<void>((resolve) => {
      answered = resolve;
    });
    let probes = 0;
    const { fetch } = observingFetch({ after: (call) => (isProbe(call) && ++probes === 2 ? answered() : undefined) });
    const client = clientFor(em, { fetch, conflictBackoff: { initialDelay: 200, maxDelay: 200 } });
    const { subscription } = subscribeUntil(client.exec('box', { command: 'cat' }, { stdin: new Subject<string>() }), () => false);
    await probeAnswered;
    // Real time, bounded: 50 ms for the client to take the answer and start its 200 ms backoff,
    // then, after the unsubscribe, 400 ms past that backoff, to prove the reconnect never came.
    await firstValueFrom(timer(50));
    subscription.unsubscribe();
    await firstValueFrom(timer(400));
    expect(em.stats).toMatchObject({ attachAttempts: 2, openSockets: 0 });
  });
});
