/**
 * docs/protocol.md §6 cases 1, 2, 3 and 9 through `createRunnerClient(...).exec(...)` against the
 * emulator on 127.0.0.1: a clean run, and every way the first attach can fail before the exit
 * frame while the command has already finished. In each, the output arrives whole and once.
 */

import { describe, expect, it } from 'vitest';
import {
  EXIT_CODE,
  REPLAY_MODES,
  STDERR,
  STDOUT,
  STDOUT_LENGTH,
  attachLog,
  clientFor,
  emulator,
  fastJob,
  finish,
  isProbe,
  nextEvent,
  observingFetch,
  proxy,
  socketsClosed,
} from './support.js';

describe('case 1: clean', () => {
  it.each(REPLAY_MODES)('%s replay: all output, the exit frame once, no probe and one attach', async (replay) => {
    const em = await emulator({ replay, scripts: { job: fastJob } });
    const { fetch, calls } = observingFetch();
    const result = await finish(clientFor(em, { fetch }).exec('box', { command: 'job' }));
    expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { type: 'exit', exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
    expect(calls.map((call) => call.method)).toEqual(['POST']);
    await socketsClosed(em);
    expect(em.stats).toMatchObject({ attachAttempts: 1, attaches: 1, openSockets: 0 });
  });
});

describe.each(REPLAY_MODES)('%s replay', (replay) => {
  describe('case 2: cut before any frame (BoxLite PR #627)', () => {
    it.each(['destroy', 'close'] as const)('cut with %s right after the 101: the re-attach replays everything and sends the exit', async (how) => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: 'upgrade', how } }] } } });
      const log = attachLog(em);
      const { fetch, calls } = observingFetch();
      const result = await finish(clientFor(em, { fetch }).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
      expect(log).toEqual(['0:101', '1:101']);
      expect(calls.filter(isProbe).map((call) => call.status)).toEqual([200]);
      await socketsClosed(em);
      expect(em.stats).toMatchObject({ cuts: 1, openSockets: 0 });
    });

    it('through a real TCP proxy that cuts the first attach after forwarding its 101', async () => {
      const em = await emulator({ replay, scripts: { job: fastJob } });
      const cutter = await proxy({ target: em.url });
      const result = await finish(clientFor(em, { baseUrl: cutter.url }).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
      expect(cutter.stats).toMatchObject({ upgrades: 2, cuts: 1, refused: 0 });
    });
  });

  describe('case 3: cut mid-stream after N output bytes', () => {
    // 1: inside the first chunk; 15: inside "–" (bytes 14-16); 30: inside "✓" (bytes 28-30);
    // STDOUT_LENGTH: between the streams; STDOUT_LENGTH + 3: inside stderr.
    const points = [1, 15, 30, STDOUT_LENGTH, STDOUT_LENGTH + 3];
    for (const how of ['destroy', 'close'] as const) {
      it.each(points)(`cut (${how}) after %i bytes: no byte lost, none duplicated`, async (n) => {
        const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: n }, how } }] } } });
        const log = attachLog(em);
        const result = await finish(clientFor(em).exec('box', { command: 'job' }));
        expect(result.stdoutBytes.equals(Buffer.from(STDOUT))).toBe(true);
        expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
        expect(log).toEqual(['0:101', '1:101']);
        await socketsClosed(em);
      expect(em.stats).toMatchObject({ cuts: 1, openSockets: 0 });
      });
    }

    it('a cut in the live output (the command finished meanwhile): the re-attach brings the rest', async () => {
      const em = await emulator({
        replay,
        scripts: {
          live: {
            steps: [{ stdout: 'before ' }, { waitForAttach: true }, { stdout: 'live 1 ' }, { stdout: 'live 2' }, { exit: 0 }],
            attachFaults: [{ cut: { after: { outputBytes: 10 } } }],
          },
        },
      });
      const result = await finish(clientFor(em).exec('box', { command: 'live' }));
      expect(result).toMatchObject({ stdout: 'before live 1 live 2', stderr: '', exit: { exitCode: 0, source: 'frame' }, notices: [] });
    });
  });

  describe('case 9: the first connect fails after the execution started', () => {
    it.each([502, 503, 504])('the first upgrade answered %i by a load balancer: probed, drained, all output', async (status) => {
      const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ reject: { status } }] } } });
      const log = attachLog(em);
      const result = await finish(clientFor(em).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' }, notices: [] });
      expect(log).toEqual([`0:${status}`, '1:101']);
    });

    it('a 502 from the proxy itself, before the runner saw the attach', async () => {
      const em = await emulator({ replay, scripts: { job: fastJob } });
      let refusals = 0;
      const cutter = await proxy({
        target: em.url,
        cut: () => false,
        refuse: ({ upgrade }) => (upgrade && refusals++ === 0 ? 502 : undefined),
      });
      const result = await finish(clientFor(em, { baseUrl: cutter.url }).exec('box', { command: 'job' }));
      expect(result).toMatchObject({ stdout: STDOUT, stderr: STDERR, exit: { exitCode: EXIT_CODE, source: 'frame' } });
      expect(cutter.stats).toMatchObject({ upgrades: 2, refused: 1, cuts: 0 });
      expect(em.stats.attachAttempts).toBe(1);
    });
  });

  it('leaves the execution on the server as it was: completed, nothing attached', async () => {
    const em = await emulator({ replay, scripts: { job: { ...fastJob, attachFaults: [{ cut: { after: { outputBytes: 5 } } }] } } });
    const result = await finish(clientFor(em).exec('box', { command: 'job' }));
    const id = result.executionId as string;
    if (em.execution(id)?.attached === true) await nextEvent(em, 'slot-released', id);
    expect(em.execution(id)).toMatchObject({ status: 'completed', exitCode: EXIT_CODE, attached: false, attachAttempts: 2 });
  });
});
