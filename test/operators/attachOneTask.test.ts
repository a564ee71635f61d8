import { asyncScheduler } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AttachDisconnectedError, AttachRejectedError } from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';
import { attach, type AttachConfig } from '../../src/observables/attach.js';
import { FakeNodeSocket, asConstructor } from '../support/fakeSockets.js';

// One scheduled task per socket: the connect bound until the open, then the same task as the idle
// watchdog. Run on real RxJS time (faked timers), where rescheduling a pending task is another path
// than in virtual time.

const config = (overrides: Partial<AttachConfig> = {}): AttachConfig => ({
  url: 'ws://runner.test/v1/boxes/box-1/executions/exec-1/attach',
  WebSocket: asConstructor(FakeNodeSocket),
  token: 'secret-token',
  sendAuthHeader: true,
  idleTimeout: 45_000,
  connectTimeout: 30_000,
  ...overrides,
});

function collect(config: AttachConfig): { events: ExecEvent[]; error?: unknown } {
  const result: { events: ExecEvent[]; error?: unknown } = { events: [] };
  attach(config).subscribe({ next: (event) => result.events.push(event), error: (error: unknown) => (result.error = error) });
  return result;
}

beforeEach(() => {
  FakeNodeSocket.reset();
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('attach: one scheduled task per socket', () => {
  it('schedules one task for the connect bound and the watchdog, and keeps one timer', () => {
    const schedule = vi.spyOn(asyncScheduler, 'schedule');
    const result = collect(config());
    FakeNodeSocket.last.open();
    vi.advanceTimersByTime(20_000);
    FakeNodeSocket.last.binary([0x01, 0x68, 0x69]);
    expect(schedule).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);
    expect(result.error).toBeUndefined();
  });

  it('the connect bound no longer runs once the socket opened; the watchdog ends a silent socket at its fourth tick', () => {
    const result = collect(config());
    vi.advanceTimersByTime(10_000);
    FakeNodeSocket.last.open();
    vi.advanceTimersByTime(40_000);
    expect(result.error).toBeUndefined();
    vi.advanceTimersByTime(19_999);
    expect(result.error).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(result.error).toBeInstanceOf(AttachDisconnectedError);
    expect((result.error as AttachDisconnectedError).message).toBe('attach: no frame or ping for 45000 ms');
    expect(FakeNodeSocket.last.closedWith).toBe(1000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('frames and pings keep the socket alive; the exit leaves no timer', () => {
    const result = collect(config());
    FakeNodeSocket.last.open();
    for (let i = 0; i < 8; i += 1) {
      vi.advanceTimersByTime(30_000);
      if (i % 2 === 0) FakeNodeSocket.last.ping();
      else FakeNodeSocket.last.binary([0x01, 0x30 + i]);
    }
    FakeNodeSocket.last.text('{"type":"exit","exit_code":0}');
    expect(result.error).toBeUndefined();
    // No microtask ran between the frames, so they are one joined event (readBatch), each frame kept.
    expect(result.events.map((event) => event.type)).toEqual(['stdout', 'exit']);
    expect(result.events[0]).toMatchObject({ data: new Uint8Array([0x31, 0x33, 0x35, 0x37]), frames: [1, 1, 1, 1] });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('without a watchdog the open stops the task: no timer runs while the socket is open', () => {
    const result = collect(config({ idleTimeout: false }));
    FakeNodeSocket.last.open();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(600_000);
    expect(result.error).toBeUndefined();
  });

  it('a socket that never opens still ends at the connect bound', () => {
    const result = collect(config());
    vi.advanceTimersByTime(29_999);
    expect(result.error).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(result.error).toBeInstanceOf(AttachRejectedError);
    expect((result.error as AttachRejectedError).message).toBe('attach: no upgrade within 30000 ms');
    expect(FakeNodeSocket.last.terminated).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});
