/**
 * docs/protocol.md §6 cases 4, 5 and 6 through `exec` against the emulator: the drain re-attach after a
 * cut meets an evicted execution (404), a slot still held (409), a second cut, or a server that
 * never sends the exit frame. The drain is bounded and always ends in exactly one exit.
 */

import { describe, expect, it } from 'vitest';
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
  finish,
  isProbe,
  nextEvent,
  observingFetch,
  replayFrames,
  socketsClosed,
} from './support.js';

describe.each(REPLAY_MODES)('%s replay', (replay) => {
  describe('case 4: the re-attach gets 404 (evicted between probe and re-attach)', () => {
    it.each([0, 12])('cut after %i bytes, then evicted: the probed exit code and a drain-incomplete notice', async (n) => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: n } } }] } } });
      const log = attachLog(em);
      // The probe's answer (completed, 3) reaches the client only after the execution is evicted;
      // preconnect off, so no socket goes out before that answer (test/integration/preconnect.test.ts has it on).
      const { fetch, calls } = observingFetch({
        after: async (call) => {
          if (isProbe(call)) await evict(em, decodeURIComponent(call.url.split('/').at(-1) as string));
        },
      });
      const result = await finish(clientFor(em, { fetch, preconnect: false }).exec('box', { command: 'job' }));
      const id = result.executionId as string;
      expect(result.stdoutBytes.equals(replayFrames(n, replay).stdout)).toBe(true);
      expect(result.stderr).toBe('');
      expect(result.exit).toEqual({ type: 'exit', exitCode: EXIT_CODE, source: 'probe' });
      expect(result.notices).toEqual([
        {
          type: 'notice',
          kind: 'drain-incomplete',
          message: `the re-attach failed: attach refused: execution ${id} not found; exit code ${EXIT_CODE} from the status endpoint`,
        },
      ]);
      expect(calls.filter(isProbe).map((call) => call.status)).toEqual([200]);
      // The 404 is answered before the attach is counted as an attempt, so no attach event shows it.
      expect(log).toEqual(['0:101']);
      expect(em.execution(id)).toBeUndefined();
    });
  });

  describe('case 5: the re-attach gets 409 while the cut socket still holds the slot', () => {
    it('retries with backoff until the slot is free, then drains all output through the exit frame', async () => {
      // The slot stays taken 1000 ms after the cut: the re-attach waits that out for real (50 ms,
      // 100 ms, … backoff). (150 ms was shorter than the probe's round trip at load 12: the first
      // re-attach then found the slot free and the test measured the machine.)
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 9 }, holdSlotMs: 1_000 } }] } } });
      const log = attachLog(em);
      const result = await finish(clientFor(em).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
      expect(log[0]).toBe('0:101');
      expect(log.at(-1)).toBe(`${log.length - 1}:101`);
      expect(log.slice(1, -1).every((entry) => entry.endsWith(':409'))).toBe(true);
      expect(log.length).toBeGreaterThanOrEqual(3);
      expect(em.stats.rejected409).toBe(log.length - 2);
    });

    // The re-attach waits out 409s up to its retry deadline, 90% of drainTimeout (attempts due at
    // 0, 50, 150, 350, 750 and, the last wait cut to the time left, 900 ms); the drain ends with
    // that last 409 or at drainTimeout, whichever comes first (the notice says which). A
    // drainTimeout of 200 ms left 30 ms between the third attempt's due time and the retry
    // deadline: the count then measured how fast a loaded machine answered, not how long the
    // client retried.
    it('gives up at the drain deadline and falls back to the probed exit code', async () => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: 'upgrade', holdSlotMs: 5_000 } }] } } });
      const result = await finish(clientFor(em, { drainTimeout: 1_000 }).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: '', stderr: '', exit: { exitCode: EXIT_CODE, source: 'probe' } });
      expect(result.notices.map((notice) => notice.kind)).toEqual(['drain-incomplete']);
      expect(result.notices[0]?.message).toMatch(
        /^the re-attach (did not finish within 1000 ms|failed: attach refused: execution \S+ already has an attached client); exit code 3 from the status endpoint$/,
      );
      expect(em.stats.rejected409).toBeGreaterThanOrEqual(3);
    });

    it('a slot held until shortly before the deadline: the last wait is cut to the time left, and that attempt drains all output', { tags: ['slow/sockets'] }, async () => {
      // The slot is free 2000 ms after the cut; the 409 deadline is 2400 ms. Attempts at 0, 200,
      // 600, 1400 ms get 409; the next wait (1600 ms) would pass the deadline, so it is cut to
      // 1000: the attempt at 2400 ms gets the replay and the exit frame. The attempts count from
      // the probe's answer, the slot from the cut: the fourth 409 needs that gap under 600 ms less
      // three round trips. (Half these times left 300 ms, which the probe took at load 12.)
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 9 }, holdSlotMs: 2_000 } }] } } });
      const attempts: { status: number; at: number }[] = [];
      em.events.subscribe((event) => {
        if (event.type === 'attach') attempts.push({ status: event.status, at: performance.now() });
      });
      // The 409 deadline counts from the re-attach's start, after the probe's answer: measured from
      // there, not from the first re-attach's arrival, which a loaded machine delays.
      let probeAnsweredAt = Number.NaN;
      const { fetch } = observingFetch({
        after: (call) => {
          if (isProbe(call)) probeAnsweredAt = performance.now();
        },
      });
      const client = clientFor(em, { fetch, drainTimeout: 5_000, conflictBackoff: { initialDelay: 200, maxDelay: 2_000, deadline: 2_400 } });
      const result = await finish(client.exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
      const drains = attempts.slice(1);
      expect(drains.map((attempt) => attempt.status)).toEqual([409, 409, 409, 409, 101]);
      const last = drains.at(-1) as { at: number };
      expect(last.at - probeAnsweredAt).toBeGreaterThanOrEqual(2_350);
    });
  });

  describe('case 6: the re-attach is cut again, or never sends the exit frame', () => {
    // The first attach delivered the whole frames within 12 bytes; the drain, cut after 30 after
    // its open, is attached again at once (the process has ended: the same replay), and that one
    // brings the rest and the exit frame: all output once.
    it('cut again after 30 bytes: attached again at once, all output once and the exit frame', async () => {
      const em = await emulator({
        replay,
        scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 12 } } }, { cut: { after: { outputBytes: 30 } } }] } },
      });
      const log = attachLog(em);
      const result = await finish(clientFor(em).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
      expect(em.stats.cuts).toBe(2);
      expect(log).toEqual(['0:101', '1:101', '2:101']);
    });

    it.each([
      ['at its upgrade', 'upgrade' as const],
      ['after 12 bytes', { outputBytes: 12 }],
    ])('first attach cut %s, the drain cut after its replay, then drained again: all output once, and the exit frame', async (_name, after) => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after } }, { cut: { after: 'replay' } }] } } });
      const log = attachLog(em);
      const result = await finish(clientFor(em).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
      expect(log).toEqual(['0:101', '1:101', '2:101']);
      expect(em.stats.cuts).toBe(2);
    });

    // Each drain socket opens and is cut before any frame: only the open signal (`outbox.opens`)
    // shows the server accepted it, and that is what lets it be attached again.
    it('cut right after its open every time: attached again 3 times (drainReattempts), then the probed exit code', async () => {
      const em = await emulator({
        replay,
        scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 12 } } }, ...Array.from({ length: 5 }, () => ({ cut: { after: 'upgrade' as const } }))] } },
      });
      const log = attachLog(em);
      const result = await finish(clientFor(em).exec('box', { command: 'job' }));
      expect(result.stdoutBytes.equals(replayFrames(12, replay).stdout)).toBe(true);
      expect(result.exit).toEqual({ type: 'exit', exitCode: EXIT_CODE, source: 'probe' });
      expect(result.notices.map((notice) => [notice.kind, notice.message])).toEqual([
        [
          'drain-incomplete',
          `the re-attach failed: attach: socket closed before the exit frame (code 1006); exit code ${EXIT_CODE} from the status endpoint`,
        ],
      ]);
      expect(log).toEqual(['0:101', '1:101', '2:101', '3:101', '4:101']);
    });

    // The drain receives the whole replay but never the exit frame: every byte it received is
    // delivered (the delivered prefix skipped exactly), then the probed exit code.
    it('no exit frame (suppressExit): the probed exit code after drainTimeout with the notice, and the socket is closed', async () => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 12 } } }, { suppressExit: true }] } } });
      const result = await finish(clientFor(em, { drainTimeout: 250 }).exec('box', { command: 'job' }));
      const id = result.executionId as string;
      expect(result.stdoutBytes.equals(Buffer.from(STDOUT))).toBe(true);
      expect(result).toMatchObject({ stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'probe' } });
      expect(result.notices.map((notice) => [notice.kind, notice.message])).toEqual([
        ['drain-incomplete', `the re-attach did not finish within 250 ms; exit code ${EXIT_CODE} from the status endpoint`],
      ]);
      // The emulator would keep that socket open forever: only the client can have closed it.
      await socketsClosed(em);
      expect(em.stats.openSockets).toBe(0);
      if (em.execution(id)?.attached === true) await nextEvent(em, 'slot-released', id);
      expect(em.execution(id)?.attached).toBe(false);
    });

    // The drain's socket opens, replays, and then sends nothing: drainSettle after its last frame,
    // not drainTimeout, the probed exit code ends the execution.
    it('no exit frame (suppressExit): the probed exit code drainSettle after the replay, long before drainTimeout', async () => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 12 } } }, { suppressExit: true }] } } });
      const drainOpened = attachAttempt(em, 1);
      const started = performance.now();
      const result = await finish(clientFor(em, { drainTimeout: 8_000, drainSettle: 300 }).exec('box', { command: 'job' }));
      const ended = performance.now();
      await drainOpened;
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'probe' } });
      expect(result.notices.map((notice) => [notice.kind, notice.message])).toEqual([
        ['drain-incomplete', `the re-attach sent nothing for 300 ms; exit code ${EXIT_CODE} from the status endpoint`],
      ]);
      expect(ended - started).toBeGreaterThanOrEqual(300);
      expect(ended - started).toBeLessThan(4_000);
      await socketsClosed(em);
      expect(em.stats.openSockets).toBe(0);
    });
  });
});
