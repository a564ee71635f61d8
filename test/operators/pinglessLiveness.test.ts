/**
 * Issue 24 item 3, liveness without visible pings, in virtual time: the real `attach` over a
 * DOM-style socket (which shows no Ping frames, as a runtime's own WebSocket or a browser's)
 * inside the real recovery pipeline (`followExecution`), with `idleTimeout: 'auto'`. After 45 s of
 * silence (found within 4/3 of it: the watchdog ticks every 15 s) the socket ends as a cut and the
 * pipeline probes: running → one new socket, at most one per idle period; terminal → the drain,
 * whose re-attach brings the exit frame within `drainSettle`, or the probed exit after a notice;
 * a failed probe (`unavailable`) → a reconnect after `reconnect.initialDelay`.
 */

import { Observable, asyncScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { followExecution } from '../../src/client/follow.js';
import { resolveOptions, type RunnerClientOptions } from '../../src/client/options.js';
import type { ExecEvent } from '../../src/events.js';
import { attach } from '../../src/observables/attach.js';
import { encodeExitFrame, encodeOutputFrame } from '../../src/protocol/frames.js';
import type { ProbeResult } from '../../src/protocol/probeResult.js';
import { completed, drainIncomplete, exitFrame, exitProbed, reconnected, reconnecting, running, stdout, unavailable } from '../../marbles/values.js';
import { FakeDomSocket, asConstructor } from '../support/fakeSockets.js';
import { createTestScheduler } from '../support/marbleHarness.js';

const encoder = new TextEncoder();

/** A DOM-style socket that opens 1 ms after it is made (virtual time), and records when it was made. */
class OpeningDomSocket extends FakeDomSocket {
  static madeAt: number[] = [];

  constructor(url: string, protocols?: unknown) {
    super(url, protocols);
    OpeningDomSocket.madeAt.push(asyncScheduler.now());
    asyncScheduler.schedule(() => {
      this.readyState = 1;
      this.onopen?.({});
    }, 1);
  }

  /** The server sends `text` on stdout. */
  out(text: string): void {
    this.onmessage?.({ data: encodeOutputFrame('stdout', encoder.encode(text)).buffer });
  }

  exit(code: number): void {
    this.onmessage?.({ data: encodeExitFrame(code) });
  }
}

/** What the server does on the nth socket (0-based), given the socket, from its open. */
type Server = (socket: OpeningDomSocket, index: number) => void;

/** Every socket sends (or replays) `first`; the second one then `second` and exit `code`. */
const endsOnSecondSocket = (first: string, second: string, code: number): Server => (socket, index) => {
  socket.out(first);
  if (index === 1) {
    socket.out(second);
    socket.exit(code);
  }
};

/** The pipeline with the real attach over `OpeningDomSocket`s; `probe` answers each probe in turn. */
function follow(server: Server, probes: (() => Observable<ProbeResult>)[], options: Partial<RunnerClientOptions> = {}): Observable<ExecEvent> {
  OpeningDomSocket.madeAt = [];
  FakeDomSocket.instances = [];
  // A Go runner (its replay shape is not under test here: 'auto' would learn it from the probe's answer over HTTP).
  const resolved = resolveOptions({ baseUrl: 'http://runner.test', token: 't', webSocketAuth: 'none', replayShape: 'ring', ...options });
  let probed = 0;
  return followExecution(
    {
      options: resolved,
      attach: (outbox, early) => {
        const index = OpeningDomSocket.madeAt.length;
        const events = attach({
          url: 'ws://runner.test/v1/boxes/box/executions/exec-1/attach',
          WebSocket: asConstructor(OpeningDomSocket),
          token: 't',
          sendAuthHeader: false,
          outbox,
          idleTimeout: resolved.idleTimeout,
          connectTimeout: resolved.connectTimeout,
          early,
        });
        return new Observable<ExecEvent>((subscriber) => {
          const subscription = events.subscribe(subscriber);
          const socket = FakeDomSocket.instances.at(-1) as OpeningDomSocket;
          asyncScheduler.schedule(() => server(socket, index), 2);
          return subscription;
        });
      },
      probe: () => {
        const answer = probes[probed];
        probed += 1;
        if (answer === undefined) throw new Error(`no probe #${probed}`);
        return answer();
      },
    },
    'exec-1',
    {},
  );
}

describe("idleTimeout 'auto' where pings are invisible (issue 24 item 3)", () => {
  it('replaces the socket of a silent running command once per idle period, no more', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const answer = (): Observable<ProbeResult> => cold('-r|', { r: running });
      // Every socket sends the ring (`compiling…`): the first delivers it, skipReplayed drops its replays.
      const result$ = follow((socket) => socket.out('compiling…\n'), [answer, answer, answer]);
      // Each socket: made, opened 1 ms later, found silent 60 s after its open, probed (1 ms), replaced at once.
      expectObservable(result$, '^ 180100ms !').toBe('2ms a 59999ms n r 60000ms m s 60000ms o t', {
        a: stdout('compiling…\n'),
        n: reconnecting(1, 'cut', 0),
        r: reconnected(1),
        m: reconnecting(1, 'cut', 0),
        s: reconnected(1),
        o: reconnecting(1, 'cut', 0),
        t: reconnected(1),
      });
    });
    expect(OpeningDomSocket.madeAt).toEqual([0, 60_002, 120_004, 180_006]);
    const gaps = OpeningDomSocket.madeAt.slice(1).map((at, index) => at - (OpeningDomSocket.madeAt[index] ?? 0));
    expect(gaps.every((gap) => gap >= 45_000)).toBe(true);
    expect(FakeDomSocket.instances.slice(0, -1).map((socket) => socket.closedWith)).toEqual([1000, 1000, 1000]);
  });

  it('terminal: the drain re-attach brings the exit frame within drainSettle', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const result$ = follow(
        endsOnSecondSocket('line 1: warming up the cache\n', 'line 2: done, 1 warning\n', 3),
        [() => cold('-t|', { t: completed(3) })],
        { drainSettle: 5_000 },
      );
      expectObservable(result$).toBe('2ms a 60001ms (bx|)', {
        a: stdout('line 1: warming up the cache\n'),
        b: stdout('line 2: done, 1 warning\n'),
        x: exitFrame(3),
      });
    });
    expect(OpeningDomSocket.madeAt).toEqual([0, 60_002]);
  });

  it('terminal: without an exit frame within drainSettle, the probed exit after drain-incomplete', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const result$ = follow((socket) => socket.out('line 1: warming up the cache\n'), [() => cold('-t|', { t: completed(3) })], { drainSettle: 5_000 });
      expectObservable(result$).toBe('2ms a 65000ms (nx|)', {
        a: stdout('line 1: warming up the cache\n'),
        n: drainIncomplete('the re-attach sent nothing for 5000 ms', 3),
        x: exitProbed(3),
      });
    });
    expect(OpeningDomSocket.madeAt).toEqual([0, 60_002]);
  });

  it('a failed probe (unavailable): a reconnect after initialDelay, and the output written meanwhile arrives', () => {
    const scheduler = createTestScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const result$ = follow(
        endsOnSecondSocket('line 1\n', 'line 2: written while the first socket was half-open\n', 0),
        [() => cold('-u|', { u: unavailable })],
        { reconnect: { initialDelay: 15_000 } },
      );
      expectObservable(result$).toBe('2ms a 59999ms n 15000ms r (bx|)', {
        a: stdout('line 1\n'),
        n: reconnecting(1, 'unavailable', 15_000),
        r: reconnected(1),
        b: stdout('line 2: written while the first socket was half-open\n'),
        x: exitFrame(0),
      });
    });
    expect(OpeningDomSocket.madeAt).toEqual([0, 75_002]);
  });
});
