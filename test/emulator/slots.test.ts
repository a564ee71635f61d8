/**
 * The attach slot (docs/protocol.md §3): held after the exit frame while a newer runner waits for the
 * client's Close (`slotHoldAfterExitMs`), and held by a half-open connection until the server's
 * idle deadline (`cut.how: 'half-open'`). Every wait is bounded; durations are measured, never slept.
 */
import { describe, expect, it } from 'vitest';
import type { Script } from '../../src/testing/index.js';
import { rawAttach } from '../../src/cli/doctor/rawAttach.js';
import { attachUrl } from '../../src/protocol/paths.js';
import { emulator, endpoint, nextEvent, nextEventAt, startExecution } from '../support/emulator.js';
import { within } from '../support/within.js';
import { attach, show, tryAttach } from './attachClient.js';

/** Timers may fire up to a millisecond before `performance.now()` says they are due. */
const TIMER_SLACK_MS = 5;

describe('slotHoldAfterExitMs (newer runner)', () => {
  const exitsWhenAttached: Script = { steps: [{ stdout: 'a' }, { waitForAttach: true }, { exit: 2 }] };

  it("sends Close 1000 right after the exit frame; a client that answers it frees the slot at once, though the hold is 10 s", async () => {
    const em = await emulator({ slotHoldAfterExitMs: 10_000, scripts: { q: exitsWhenAttached } });
    const id = await startExecution(em, { command: 'q' });
    const released = nextEvent(em, 'slot-released', id, 1000);
    const conn = await attach(em, id);
    expect(await within(conn.closed, 1000)).toBe(1000); // `ws` answers the server's Close by itself
    await released;
    expect(show(conn.frames)).toEqual(['o:a', 'x:2']);
    const again = await attach(em, id);
    await again.frameCount(2);
    expect(show(again.frames)).toEqual(['o:a', 'x:2']);
    expect(await within(again.closed, 1000)).toBe(1000);
    expect(em.stats).toMatchObject({ rejected409: 0, attaches: 2 });
  });

  it("a client that withholds its Close: the slot is held (409) until the hold ends, then the connection is ended and the slot freed", async () => {
    const hold = 400;
    const em = await emulator({ slotHoldAfterExitMs: hold, scripts: { q: exitsWhenAttached } });
    const id = await startExecution(em, { command: 'q' });
    // The hold is the server's: measured between its own events, as it emits them. The client
    // reads the exit frame late on a loaded machine, so its clock would make the hold look short.
    const exited = nextEventAt(em, 'exit', id, 3000);
    const released = nextEventAt(em, 'slot-released', id, 3000);
    const seen = rawAttach(attachUrl(endpoint(em), 'box', id), em.token, { connectMs: 3_000, runMs: 3_000, observeMs: 3_000 });
    await exited;
    expect(await tryAttach(em, id)).toMatchObject({ kind: 'refused', status: 409 });
    const raw = await seen;
    expect(raw.close?.code).toBe(1000);
    expect((raw.close?.at ?? Number.NaN) - (raw.exitAt ?? Number.NaN)).toBeLessThan(hold / 2); // the server's Close: at once
    expect(raw.droppedAt).toBeDefined(); // the server ended the connection
    expect((await released).at - (await exited).at).toBeGreaterThanOrEqual(hold - TIMER_SLACK_MS); // the end: when the wait ran out
    const again = await attach(em, id);
    await again.frameCount(2);
    expect(show(again.frames)).toEqual(['o:a', 'x:2']);
    expect(em.stats.rejected409).toBe(1);
  });

  it('default 0 (Go runner): Close 1000 right after the exit frame, no wait for the client', async () => {
    const em = await emulator({ scripts: { q: exitsWhenAttached } });
    const id = await startExecution(em, { command: 'q' });
    const released = nextEvent(em, 'slot-released', id, 1000);
    const conn = await attach(em, id);
    expect(await within(conn.closed, 1000)).toBe(1000);
    await released;
    expect(show(conn.frames)).toEqual(['o:a', 'x:2']);
  });
});

describe("cut.how: 'half-open'", () => {
  const IDLE = 300;
  const running: Script = { steps: [{ stdout: 'one ' }, { waitForAttach: true }, { stdout: 'two ' }, { waitMs: 60_000 }] };

  it('silence both ways; the slot is held (409) until the idle deadline, then free, and the replay has everything', async () => {
    const em = await emulator({ idleTimeoutMs: IDLE, pingIntervalMs: 50, scripts: { r: running } });
    const id = await startExecution(em, { command: 'r' });
    em.setAttachFaults(id, [{ cut: { after: 'replay', how: 'half-open' } }]);
    const detached = nextEvent(em, 'detach', id, 3000);
    const released = nextEvent(em, 'slot-released', id, 3000);
    const started = performance.now();
    const conn = await attach(em, id);
    let pings = 0;
    let pongs = 0;
    conn.ws.on('ping', () => (pings += 1));
    conn.ws.on('pong', () => (pongs += 1));
    await conn.frameCount(1);
    // Nothing the client sends reaches the server, nothing the server would send reaches the client.
    conn.ws.send(Buffer.from('stdin'));
    conn.ws.send('{"type":"signal","sig":2}');
    conn.ws.send('{"type":"dance"}');
    conn.ws.ping();
    expect(await tryAttach(em, id)).toMatchObject({ kind: 'refused', status: 409 });
    expect(conn.ws.readyState).toBe(conn.ws.OPEN);

    expect(await detached).toMatchObject({ code: 1006 });
    await released;
    expect(performance.now() - started).toBeGreaterThanOrEqual(IDLE - TIMER_SLACK_MS);
    expect(show(conn.frames)).toEqual(['o:one ']);
    expect({ pings, pongs }).toEqual({ pings: 0, pongs: 0 });
    expect(em.execution(id)).toMatchObject({ status: 'running', stdinBytes: 0, signals: [], attached: false });
    expect(em.stats).toMatchObject({ cuts: 1, idleTimeouts: 1, rejected409: 1 });

    const again = await attach(em, id);
    await again.frameCount(1);
    expect(show(again.frames)).toEqual(['o:one two ']);
  });

  it("the client's own FIN does not reach the server either: the slot is still held until the deadline", async () => {
    const em = await emulator({ idleTimeoutMs: IDLE, pingIntervalMs: 60_000, scripts: { r: running } });
    const id = await startExecution(em, { command: 'r' });
    em.setAttachFaults(id, [{ cut: { after: { outputBytes: 4 }, how: 'half-open' } }]);
    const detached = nextEvent(em, 'detach', id, 3000);
    const started = performance.now();
    const conn = await attach(em, id);
    await conn.frameCount(1);
    expect(show(conn.frames)).toEqual(['o:one ']);
    conn.ws.terminate();
    expect(await within(conn.closed)).toBe(1006);
    expect(await tryAttach(em, id)).toMatchObject({ kind: 'refused', status: 409 });
    expect(await detached).toMatchObject({ code: 1006 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(IDLE - TIMER_SLACK_MS);
    expect(em.stats.idleTimeouts).toBe(1);
  });

  it('holdSlotMs counts from the idle deadline', async () => {
    const hold = 200;
    const em = await emulator({ idleTimeoutMs: IDLE, pingIntervalMs: 60_000, scripts: { r: running } });
    const id = await startExecution(em, { command: 'r' });
    em.setAttachFaults(id, [{ cut: { after: 'upgrade', how: 'half-open', holdSlotMs: hold } }]);
    const detached = nextEvent(em, 'detach', id, 3000);
    const released = nextEvent(em, 'slot-released', id, 3000);
    const started = performance.now();
    const conn = await attach(em, id);
    await detached;
    const detachedAt = performance.now();
    expect(detachedAt - started).toBeGreaterThanOrEqual(IDLE - TIMER_SLACK_MS);
    expect(await tryAttach(em, id)).toMatchObject({ kind: 'refused', status: 409 });
    await released;
    expect(performance.now() - detachedAt).toBeGreaterThanOrEqual(hold - TIMER_SLACK_MS);
    expect(conn.frames).toEqual([]);
  });

  it('close() ends a half-open session at once, without waiting for the idle deadline', async () => {
    const em = await emulator({ idleTimeoutMs: 60_000, scripts: { r: running } });
    const id = await startExecution(em, { command: 'r' });
    em.setAttachFaults(id, [{ cut: { after: 'replay', how: 'half-open' } }]);
    const conn = await attach(em, id);
    await conn.frameCount(1);
    await within(em.close(), 2000, 'close()');
    expect(await within(conn.closed)).toBe(1006);
    expect(em.stats.openSockets).toBe(0);
  });
});
