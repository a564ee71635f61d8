import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { auth, emulator, endpoint, nextEvent, startExecution } from '../support/emulator.js';
import { executionUrl } from '../../src/protocol/paths.js';
import type { RunnerEmulator, Script } from '../../src/testing/index.js';
import { within } from '../support/within.js';
import { attach, slotFree, show, stdoutOf, tryAttach, type Conn } from './attachClient.js';

const produceThenWait: Script = {
  steps: [{ stdout: 'one ' }, { stderr: 'E1 ' }, { stdout: 'two ' }, { stderr: 'E2' }, { waitForAttach: true }, { stdout: 'live' }, { exit: 4 }],
};

// ----- tests -----

describe('replay', () => {
  it('the runner (ring) replays one frame per stream (stdout first), then live, exit and Close 1000', async () => {
    const em = await emulator({ scripts: { p: produceThenWait } });
    const id = await startExecution(em, { command: 'p' });
    const conn = await attach(em, id);
    expect(await within(conn.closed)).toBe(1000);
    expect(show(conn.frames)).toEqual(['o:one two ', 'e:E1 E2', 'o:live', 'x:4']);
  });

  it('serve (chunks) replays one frame per stored chunk', async () => {
    const em = await emulator({ server: 'serve', scripts: { p: produceThenWait } });
    const id = await startExecution(em, { command: 'p' });
    const conn = await attach(em, id);
    expect(await within(conn.closed)).toBe(1000);
    expect(show(conn.frames)).toEqual(['o:one ', 'o:two ', 'e:E1 ', 'e:E2', 'o:live', 'x:4']);
  });

  it('attach after exit gives replay, exit and close at once; every attach replays the whole ring', async () => {
    const em = await emulator({ scripts: { q: { steps: [{ stdout: 'a' }, { stderr: 'b' }, { stdout: 'c' }, { exit: 0 }] } } });
    const id = await startExecution(em, { command: 'q' });
    for (let i = 0; i < 2; i += 1) {
      const conn = await attach(em, id);
      expect(await within(conn.closed)).toBe(1000);
      expect(show(conn.frames)).toEqual(['o:ac', 'e:b', 'x:0']);
      await slotFree(em, id);
    }
    expect(em.execution(id)?.attachAttempts).toBe(2);
  });

  it('a TTY script sends stderr on the stdout channel', async () => {
    const em = await emulator({ scripts: { t: { tty: true, steps: [{ stdout: 'a' }, { stderr: 'b' }] } } });
    const id = await startExecution(em, { command: 't' });
    expect(em.execution(id)?.tty).toBe(true);
    const conn = await attach(em, id);
    await within(conn.closed);
    expect(show(conn.frames)).toEqual(['o:ab', 'x:0']);
  });

  it('keeps the newest ringBytes per stream: the last bytes (runner), whole chunks (serve)', async () => {
    const steps = [{ stdout: 'abcdef' }, { stdout: 'ghijkl' }, { stderr: '0123456789' }, { exit: 0 }];
    const ring = await emulator({ ringBytes: 8, scripts: { r: { steps } } });
    const a = await attach(ring, await startExecution(ring, { command: 'r' }));
    await within(a.closed);
    expect(show(a.frames)).toEqual(['o:efghijkl', 'e:23456789', 'x:0']);

    const chunks = await emulator({ ringBytes: 8, server: 'serve', scripts: { r: { steps } } });
    const id = await startExecution(chunks, { command: 'r' });
    // 'abcdef' is dropped whole; '0123456789', alone larger than the cap, is kept whole.
    expect(chunks.execution(id)).toMatchObject({ stdoutBytes: 12, stdoutRingBytes: 6, stderrBytes: 10, stderrRingBytes: 10 });
    const b = await attach(chunks, id);
    await within(b.closed);
    expect(show(b.frames)).toEqual(['o:ghijkl', 'e:0123456789', 'x:0']);
  });
});

describe('the attach slot', () => {
  it('answers 409 while a socket is attached, 101 again once the server saw it go', async () => {
    const em = await emulator({ scripts: { w: { steps: [{ stdout: 'x' }, { waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    const first = await attach(em, id);
    const refused = await tryAttach(em, id);
    expect(refused).toMatchObject({ kind: 'refused', status: 409 });
    expect(em.stats.rejected409).toBe(1);
    const released = nextEvent(em, 'slot-released', id);
    first.ws.close();
    await released;
    const second = await attach(em, id);
    await second.frameCount(1);
    expect(show(second.frames)).toEqual(['o:x']);
    expect(em.execution(id)?.attachAttempts).toBe(3);
    expect(em.stats).toMatchObject({ attaches: 2, attachAttempts: 3, openSockets: 1 });
  });

  it('answers 401 on the upgrade without or with a wrong token, 404 for an unknown id', async () => {
    const em = await emulator({ scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    expect(await tryAttach(em, id, null)).toMatchObject({ kind: 'refused', status: 401 });
    const denied = await tryAttach(em, id, 'wrong');
    expect(denied).toMatchObject({ kind: 'refused', status: 401, contentType: 'application/json; charset=utf-8' });
    expect(JSON.parse(denied.kind === 'refused' ? denied.body : '')).toEqual({
      statusCode: 401,
      message: 'missing or invalid bearer token',
      code: 'UNAUTHORIZED',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      path: `/v1/boxes/box/executions/${id}/attach`,
      method: 'GET',
    });
    expect(await tryAttach(em, 'nope')).toMatchObject({ kind: 'refused', status: 404, body: '{"error":"execution nope not found"}' });
    expect(await tryAttach(em, id, em.token, 'other-box')).toMatchObject({ kind: 'refused', status: 404 });
    expect(em.execution(id)?.attachAttempts).toBe(0);
    expect(em.stats.unauthorized).toBe(2);
  });

  it('drops a peer silent for idleTimeoutMs and frees the slot', async () => {
    const em = await emulator({ idleTimeoutMs: 100, pingIntervalMs: 60_000, scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    const conn = await attach(em, id);
    const released = nextEvent(em, 'slot-released', id);
    expect(await within(conn.closed)).toBe(1006);
    await released;
    expect(em.stats.idleTimeouts).toBe(1);
  });

  it('pings every pingIntervalMs and keeps a ponging peer', async () => {
    const em = await emulator({ idleTimeoutMs: 400, pingIntervalMs: 40, scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    const conn = await attach(em, id);
    let pings = 0;
    await within(
      new Promise<void>((resolve) =>
        conn.ws.on('ping', () => {
          pings += 1;
          if (pings === 8) resolve();
        }),
      ),
      3000,
      '8 pings',
    );
    expect(conn.ws.readyState).toBe(WebSocket.OPEN);
    expect(em.stats.idleTimeouts).toBe(0);
  });
});

describe('client messages', () => {
  it('echoes stdin to stdout until stdin_eof, then goes on', async () => {
    const em = await emulator({ scripts: { cat: { steps: [{ echoStdin: true }, { stdout: '|done' }, { exit: 0 }] } } });
    const id = await startExecution(em, { command: 'cat' });
    const conn = await attach(em, id);
    conn.ws.send(Buffer.from('hel'));
    conn.ws.send(Uint8Array.of(0xe2, 0x82));
    conn.ws.send(Uint8Array.of(0xac));
    await conn.frameCount(3);
    conn.ws.send('{"type":"stdin_eof"}');
    expect(await within(conn.closed)).toBe(1000);
    expect(stdoutOf(conn.frames).toString('utf8')).toBe('hel€|done');
    expect(em.execution(id)).toMatchObject({ stdinBytes: 6, stdinClosed: true, exitCode: 0 });
  });

  it('buffers stdin sent before the echo step', async () => {
    const em = await emulator({ scripts: { cat: { steps: [{ waitForAttach: true }, { waitMs: 30 }, { echoStdin: true }] } } });
    const id = await startExecution(em, { command: 'cat' });
    const conn = await attach(em, id);
    conn.ws.send(Buffer.from('early'));
    conn.ws.send('{"type":"stdin_eof"}');
    expect(await within(conn.closed)).toBe(1000);
    expect(show(conn.frames)).toEqual(['o:early', 'x:0']);
  });

  it('signals: whitelisted ones end a script with 128+N, others get an error frame and the socket stays', async () => {
    const em = await emulator({ scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    const conn = await attach(em, id);
    conn.ws.send('{"type":"signal","sig":9}');
    conn.ws.send('{"type":"signal","sig":"INT"}');
    await conn.frameCount(2);
    expect(show(conn.frames)).toEqual(['error:signal 9 is not allowed', 'error:malformed signal message: sig must be an integer']);
    expect(conn.ws.readyState).toBe(WebSocket.OPEN);
    conn.ws.send('{"type":"signal","sig":2}');
    expect(await within(conn.closed)).toBe(1000);
    expect(show(conn.frames).slice(2)).toEqual(['x:130']);
    expect(em.execution(id)?.signals).toEqual([2]);
  });

  it('resize: recorded on a TTY, an error frame otherwise; malformed text gets an error frame', async () => {
    const em = await emulator({ scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const tty = await startExecution(em, { command: 'w', tty: true });
    const plain = await startExecution(em, { command: 'w' });
    const t = await attach(em, tty);
    t.ws.send('{"type":"resize","cols":100,"rows":30}');
    t.ws.send('{"type":"resize","cols":-1,"rows":30}');
    await t.frameCount(1);
    expect(em.execution(tty)?.size).toEqual({ cols: 100, rows: 30 });
    expect(show(t.frames)).toEqual(['error:malformed resize message: cols and rows must be integers in 1..65535']);

    const p = await attach(em, plain);
    p.ws.send('{"type":"resize","cols":100,"rows":30}');
    p.ws.send('not json');
    p.ws.send('[1]');
    p.ws.send('{"type":"dance"}');
    await p.frameCount(4);
    expect(show(p.frames)).toEqual([
      `error:execution ${plain} is not a TTY`,
      'error:malformed control message: invalid JSON',
      'error:malformed control message: not a JSON object',
      'error:unknown control message type "dance"',
    ]);
    expect(p.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes with 1009 on a stdin frame over 1 MiB', async () => {
    const em = await emulator({ scripts: { w: { steps: [{ waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    const conn = await attach(em, id);
    conn.ws.send(Buffer.alloc(1024 * 1024 + 1));
    expect(await within(conn.closed)).toBe(1009);
  });

  it('DELETE while attached: the socket receives the rest, exit 137, then Close 1000', async () => {
    const em = await emulator({ scripts: { w: { steps: [{ stdout: 'a' }, { waitMs: 60_000 }] } } });
    const id = await startExecution(em, { command: 'w' });
    const conn = await attach(em, id);
    await conn.frameCount(1);
    const res = await fetch(executionUrl(endpoint(em), 'box', id), { method: 'DELETE', headers: auth(em) });
    expect(res.status).toBe(204);
    expect(await within(conn.closed)).toBe(1000);
    expect(show(conn.frames)).toEqual(['o:a', 'x:137']);
  });
});

describe('the per-subscriber queue', () => {
  it('drops live chunks beyond subscriberQueueChunks and counts them', async () => {
    const chunk = (i: number): string => `${String(i).padStart(4, '0')}`;
    const steps = [{ waitForAttach: true } as const, ...Array.from({ length: 64 }, (_, i) => ({ stdout: chunk(i) })), { exit: 0 }];
    const em = await emulator({ subscriberQueueChunks: 8, scripts: { burst: { steps } } });
    const id = await startExecution(em, { command: 'burst' });
    const conn = await attach(em, id);
    expect(await within(conn.closed)).toBe(1000);
    // The burst is produced in one tick: 8 chunks queue, 56 are dropped, the exit frame is never dropped.
    expect(em.stats.droppedChunks).toBe(56);
    expect(em.stats.droppedBytes).toBe(56 * 4);
    expect(show(conn.frames)).toEqual([...Array.from({ length: 8 }, (_, i) => `o:${chunk(i)}`), 'x:0']);
    // The ring kept everything: a re-attach replays it.
    await slotFree(em, id);
    const again = await attach(em, id);
    await within(again.closed);
    expect(stdoutOf(again.frames).toString()).toBe(Array.from({ length: 64 }, (_, i) => chunk(i)).join(''));
  });

  it('a client that stops reading makes the queue overflow; what it then reads has no gap but the dropped chunks', async () => {
    const size = 64 * 1024;
    const count = 400;
    const steps = [{ waitForAttach: true } as const];
    const all: Uint8Array[] = [];
    for (let i = 0; i < count; i += 1) {
      const data = new Uint8Array(size).fill(i % 251);
      all.push(data);
      (steps as unknown as object[]).push({ stdout: data }, { waitMs: 0 });
    }
    const em = await emulator({ subscriberQueueChunks: 16, ringBytes: 1024, idleTimeoutMs: 60_000, scripts: { flood: { steps } } });
    const id = await startExecution(em, { command: 'flood' });
    const dropped = nextEvent(em, 'dropped', id, 15_000);
    const conn = await attach(em, id);
    const socket = (conn.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    await dropped;
    socket.resume();
    expect(await within(conn.closed, 15_000)).toBe(1000);
    const received = stdoutOf(conn.frames);
    expect(received.length).toBe(count * size - em.stats.droppedBytes);
    expect(em.stats.droppedChunks).toBeGreaterThan(0);
    expect(em.stats.droppedBytes).toBe(em.stats.droppedChunks * size);
    // Chunks arrive whole and in order: each received chunk is one of the produced ones.
    let last = -1;
    for (let offset = 0; offset < received.length; offset += size) {
      const value = received[offset] as number;
      expect(received.subarray(offset, offset + size).every((b) => b === value)).toBe(true);
      const index = all.findIndex((c, i) => i > last && c[0] === value);
      expect(index).toBeGreaterThan(last);
      last = index;
    }
  }, 20_000);
});

describe('attach faults', () => {
  const done: Script = { steps: [{ stdout: 'hello ' }, { stderr: 'warn' }, { stdout: 'world' }, { exit: 5 }] };
  const held: Script = { steps: [{ stdout: 'hello ' }, { stderr: 'warn' }, { stdout: 'world' }, { waitForAttach: true }, { exit: 5 }] };

  async function reattach(em: RunnerEmulator, id: string): Promise<Conn> {
    await slotFree(em, id);
    return attach(em, id);
  }

  it('reject: answers the upgrade with the status and an nginx-like HTML page', async () => {
    const em = await emulator({ scripts: { d: done } });
    const id = await startExecution(em, { command: 'd' });
    em.setAttachFaults(id, [{ reject: { status: 502 } }, { reject: { status: 503, body: '{"message":"busy"}' } }, { reject: { status: 504, body: '' } }]);
    const bad = await tryAttach(em, id);
    expect(bad).toEqual({
      kind: 'refused',
      status: 502,
      contentType: 'text/html',
      body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    });
    expect(await tryAttach(em, id)).toEqual({ kind: 'refused', status: 503, contentType: 'application/json', body: '{"message":"busy"}' });
    expect(await tryAttach(em, id)).toEqual({ kind: 'refused', status: 504, contentType: undefined, body: '' });
    const ok = await attach(em, id);
    expect(await within(ok.closed)).toBe(1000);
    expect(show(ok.frames)).toEqual(['o:hello world', 'e:warn', 'x:5']);
    expect(em.stats).toMatchObject({ rejectedByFault: 3, attachAttempts: 4, attaches: 1 });
  });

  it('cut after upgrade, destroy: no frame, no Close (1006); the slot is free at once', async () => {
    const em = await emulator({ scripts: { d: done } });
    const id = await startExecution(em, { command: 'd' });
    em.setAttachFaults(id, [{ cut: { after: 'upgrade' } }]);
    const cut = await attach(em, id);
    expect(await within(cut.closed)).toBe(1006);
    expect(cut.frames).toEqual([]);
    const again = await reattach(em, id);
    expect(await within(again.closed)).toBe(1000);
    expect(show(again.frames)).toEqual(['o:hello world', 'e:warn', 'x:5']);
    expect(em.stats.cuts).toBe(1);
  });

  it('cut with a Close frame: code 1001 by default, or the given code', async () => {
    const em = await emulator({ scripts: { d: done } });
    const id = await startExecution(em, { command: 'd' });
    em.setAttachFaults(id, [{ cut: { after: 'upgrade', how: 'close' } }, { cut: { after: 'replay', how: 'close', code: 1011 } }]);
    const first = await attach(em, id);
    expect(await within(first.closed)).toBe(1001);
    const second = await reattach(em, id);
    expect(await within(second.closed)).toBe(1011);
    expect(show(second.frames)).toEqual(['o:hello world', 'e:warn']);
  });

  it.each([
    [0, []],
    [3, []],
    [11, ['o:hello world']],
    [13, ['o:hello world']],
    [15, ['o:hello world', 'e:warn']],
  ])('cut after %i output bytes: the whole frames before it, never a part of one', async (bytes, expected) => {
    const em = await emulator({ scripts: { d: done } });
    const id = await startExecution(em, { command: 'd' });
    em.setAttachFaults(id, [{ cut: { after: { outputBytes: bytes } } }]);
    const conn = await attach(em, id);
    expect(await within(conn.closed)).toBe(1006);
    expect(show(conn.frames)).toEqual(expected);
  });

  it('cut after N bytes counts live frames too (chunks replay, then live)', async () => {
    const em = await emulator({ server: 'serve', scripts: { l: { steps: [{ stdout: 'ab' }, { waitForAttach: true }, { stdout: 'cdef' }, { stdout: 'gh' }] } } });
    const id = await startExecution(em, { command: 'l' });
    em.setAttachFaults(id, [{ cut: { after: { outputBytes: 5 } } }]);
    const conn = await attach(em, id);
    expect(await within(conn.closed)).toBe(1006);
    expect(show(conn.frames)).toEqual(['o:ab']);
  });

  it('cut before exit: every output frame, then 1006 without the exit frame', async () => {
    const em = await emulator({ scripts: { h: held } });
    const id = await startExecution(em, { command: 'h' });
    em.setAttachFaults(id, [{ cut: { after: 'before-exit' } }]);
    const conn = await attach(em, id);
    expect(await within(conn.closed)).toBe(1006);
    expect(show(conn.frames)).toEqual(['o:hello world', 'e:warn']);
    const info = (await (await fetch(executionUrl(endpoint(em), 'box', id), { headers: auth(em) })).json()) as object;
    expect(info).toMatchObject({ status: 'completed', exit_code: 5 });
  });

  it('holdSlotMs keeps the slot after a cut: 409, then 101 once released', async () => {
    const em = await emulator({ scripts: { d: done } });
    const id = await startExecution(em, { command: 'd' });
    em.setAttachFaults(id, [{ cut: { after: 'replay', holdSlotMs: 150 } }]);
    const cut = await attach(em, id);
    const released = nextEvent(em, 'slot-released', id);
    expect(await within(cut.closed)).toBe(1006);
    expect(await tryAttach(em, id)).toMatchObject({ kind: 'refused', status: 409 });
    const before = performance.now();
    await released;
    expect(performance.now() - before).toBeGreaterThan(50);
    const ok = await attach(em, id);
    expect(await within(ok.closed)).toBe(1000);
    expect(show(ok.frames)).toEqual(['o:hello world', 'e:warn', 'x:5']);
    expect(em.stats.rejected409).toBe(1);
  });

  it('suppressExit: output but no exit frame, and the socket stays open until the client closes', async () => {
    const em = await emulator({ scripts: { h: held } });
    const id = await startExecution(em, { command: 'h' });
    em.setAttachFaults(id, [{ suppressExit: true }]);
    const exited = nextEvent(em, 'exit', id);
    const conn = await attach(em, id);
    await exited;
    await conn.frameCount(2);
    expect(show(conn.frames)).toEqual(['o:hello world', 'e:warn']);
    expect(conn.ws.readyState).toBe(WebSocket.OPEN);
    conn.ws.close(4000);
    expect(await within(conn.closed)).toBe(4000);
    expect(show(conn.frames)).toEqual(['o:hello world', 'e:warn']);
  });

  it('inject: each corrupt frame, exactly, after the upgrade and before the replay', async () => {
    const em = await emulator({ scripts: { d: done } });
    const id = await startExecution(em, { command: 'd' });
    em.setAttachFaults(id, [
      { inject: ['unknown-channel', 'empty-binary', 'invalid-json', 'unknown-type', 'exit-without-code', 'exit-non-integer', 'error-frame'] },
    ]);
    const conn = await attach(em, id);
    expect(await within(conn.closed)).toBe(1000);
    expect(conn.frames.slice(0, 7)).toEqual([
      { binary: true, data: Buffer.from([0x03, 0x78]) },
      { binary: true, data: Buffer.alloc(0) },
      { binary: false, text: '{"type":"exit",' },
      { binary: false, text: '{"type":"progress","value":1}' },
      { binary: false, text: '{"type":"exit"}' },
      { binary: false, text: '{"type":"exit","exit_code":1.5}' },
      { binary: false, text: '{"type":"error","message":"injected error frame"}' },
    ]);
    expect(show(conn.frames.slice(7))).toEqual(['o:hello world', 'e:warn', 'x:5']);
  });

  it('firstFrameDelayMs holds every frame back; frameLatencyMs delays each', async () => {
    const em = await emulator({ scripts: { d: done } });
    const id = await startExecution(em, { command: 'd' });
    em.setAttachFaults(id, [{ firstFrameDelayMs: 120 }, { frameLatencyMs: 40 }]);
    const t0 = performance.now();
    const slow = await attach(em, id);
    await slow.frameCount(1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    expect(await within(slow.closed)).toBe(1000);
    const t1 = performance.now();
    const lagging = await reattach(em, id);
    expect(await within(lagging.closed)).toBe(1000);
    expect(performance.now() - t1).toBeGreaterThanOrEqual(100); // 3 frames × 40 ms
    expect(show(lagging.frames)).toEqual(['o:hello world', 'e:warn', 'x:5']);
  });

  it('the faults option decides per attempt; script and setAttachFaults queues take precedence', async () => {
    const seen: number[] = [];
    const em = await emulator({
      scripts: { d: done, s: { ...done, attachFaults: [{ reject: { status: 503 } }, undefined] } },
      faults: ({ attempt, command }) => {
        seen.push(attempt);
        return attempt === 0 && command === 'd' ? { reject: { status: 502 } } : undefined;
      },
    });
    const plain = await startExecution(em, { command: 'd' });
    expect(await tryAttach(em, plain)).toMatchObject({ status: 502 });
    const ok = await attach(em, plain);
    await within(ok.closed);
    expect(seen).toEqual([0, 1]);

    const scripted = await startExecution(em, { command: 's' });
    expect(await tryAttach(em, scripted)).toMatchObject({ status: 503 });
    const second = await attach(em, scripted); // the queue's `undefined`: healthy
    await within(second.closed);
    expect(seen).toEqual([0, 1]);
    em.setAttachFaults(scripted, [{ reject: { status: 404 } }]);
    expect(await reattach(em, scripted).catch(() => 'refused')).toBe('refused');
    const third = await attach(em, scripted); // queue empty: the option decides (attempt 3)
    await within(third.closed);
    expect(seen).toEqual([0, 1, 3]);
    expect(() => em.setAttachFaults('nope', [])).toThrow(RangeError);
  });
});
