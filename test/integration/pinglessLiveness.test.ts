// @module-tag slow/sockets
/**
 * Issue 24 item 3 against the emulator on 127.0.0.1, with real sockets: a socket that shows no
 * pings (a runtime's own WebSocket, stood in for by `ws` behind `StatuslessWebSocket`) cut
 * half-open. The server writes nothing to it and reads nothing from it, and holds the attach slot
 * (409) until its own idle deadline. The client's watchdog finds the silence after `idleTimeout`
 * (within 4/3 of it), probes, and re-attaches (running) or drains (terminal): the output written
 * while the socket was half-open reaches the subscriber within idleTimeout + the server's idle
 * deadline + backoff, every byte once and in order, with the server's own exit frame.
 */

import { tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ExecEvent, WebSocketConstructor } from '../../src/index.js';
import type { Script } from '../../src/testing/index.js';
import { StatuslessWebSocket } from '../support/statuslessWebSocket.js';
import { EXIT_CODE, clientFor, emulator, finish } from './support.js';

/**
 * `StatuslessWebSocket`s whose first one never reports its close: the emulator's half-open server
 * drops the connection at its idle deadline, and that FIN would reach the client over loopback;
 * over a path that really vanished it never does. So only the client's own watchdog ends it.
 */
function firstNeverCloses(): WebSocketConstructor {
  let made = 0;
  class Deaf extends StatuslessWebSocket {
    constructor(url: string, options?: { readonly headers?: Record<string, string> }) {
      super(url, options);
      made += 1;
      if (made === 1) Object.defineProperty(this, 'onclose', { get: () => null, set: () => undefined });
    }
  }
  return Deaf as unknown as WebSocketConstructor;
}

/**
 * The client's silence bound (`IDLE`) and the server's (`SERVER_IDLE`: it frees a half-open
 * attach's slot only then), the largest refused-connect backoff (`conflictBackoff.maxDelay`), the
 * line's delay after the cut, and the slack of a loaded 2-core machine (event loop turns,
 * upgrades, the probe's round trip).
 */
const [IDLE, SERVER_IDLE, BACKOFF, WRITE_DELAY, SLACK] = [150, 300, 40, 50, 1_500] as const;

const BEFORE = '2026-12-06T19:30:01.004Z INFO  build: resolving 412 packages from the lockfile (cache hit 97%)\n';
const DURING = '2026-12-06T19:30:01.061Z INFO  build: resolving 412 packages from the lockfile (cache hit 98%) ✓ ünïcode\n';
const AFTER = '2026-12-06T19:30:01.702Z INFO  build: resolving 412 packages from the lockfile (cache hit 98%) done\n';

/** Line `BEFORE` in the ring, then the attach (cut half-open after its replay), `DURING` while half-open, `AFTER` `tail` ms later, exit 3. */
const script = (tail: number): Script => ({
  steps: [{ stdout: BEFORE }, { waitForAttach: true }, { waitMs: WRITE_DELAY }, { stdout: DURING }, { waitMs: tail }, { stdout: AFTER }, { exit: EXIT_CODE }],
  attachFaults: [{ cut: { after: 'replay', how: 'half-open' } }],
});

/** The whole run, and how long after `BEFORE` the line written while half-open reached the subscriber. */
async function run(tail: number): Promise<{ result: Awaited<ReturnType<typeof finish>>; late: number }> {
  const em = await emulator({ idleTimeoutMs: SERVER_IDLE, pingIntervalMs: 50, scripts: { job: script(tail) } });
  const client = clientFor(em, { WebSocket: firstNeverCloses(), idleTimeout: IDLE, conflictBackoff: { initialDelay: 20, maxDelay: BACKOFF } });
  const decoder = new TextDecoder();
  let text = '';
  let before = NaN;
  let during = NaN;
  const stamp = (event: ExecEvent): void => {
    if (event.type !== 'stdout') return;
    text += decoder.decode(event.data, { stream: true });
    if (Number.isNaN(before) && text.includes(BEFORE)) before = performance.now();
    if (Number.isNaN(during) && text.includes(DURING)) during = performance.now();
  };
  const result = await finish(client.exec('box', { command: 'job' }).pipe(tap(stamp)));
  expect(em.stats.idleTimeouts).toBe(1);
  return { result, late: during - before };
}

/** How late the line written while half-open may reach the subscriber after the line before it. */
const BOUND = WRITE_DELAY + (IDLE * 4) / 3 + SERVER_IDLE + BACKOFF + SLACK;

describe('a half-open cut where pings are invisible (issue 24 item 3)', () => {
  it('running at the silence: the socket is replaced, and the line written while half-open arrives in bound', async () => {
    const { result, late } = await run(600);
    expect(result.stdout).toBe(BEFORE + DURING + AFTER);
    expect(result.exit).toEqual({ type: 'exit', exitCode: EXIT_CODE, source: 'frame' });
    expect(result.notices).toEqual([]);
    // The silence is a cut; the new socket is refused (status unknown) while the half-open one holds the slot.
    expect(result.reconnects[0]).toBe('reconnecting:cut');
    expect(result.reconnects).toContain('reconnected');
    expect(result.reconnects.filter((kind) => !['reconnecting:cut', 'reconnecting:refused', 'reconnected'].includes(kind))).toEqual([]);
    expect(late).toBeLessThanOrEqual(BOUND);
  });

  it('ended at the silence: the drain brings the rest and the exit frame, in bound', async () => {
    const { result, late } = await run(10);
    expect(result.stdout).toBe(BEFORE + DURING + AFTER);
    expect(result.exit).toEqual({ type: 'exit', exitCode: EXIT_CODE, source: 'frame' });
    expect(result.notices).toEqual([]);
    expect(result.reconnects).toEqual([]);
    expect(late).toBeLessThanOrEqual(BOUND);
  });
});
