/**
 * Beyond PROTOCOL §6 case 7: the server's ring wraps while the client is disconnected, so the
 * reconnect's replay starts after the last byte the client has. That output is gone from the
 * server; the client must say so with an `output-lost` notice rather than lose it silently.
 */

import { EMPTY, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { RunnerEmulator, Script } from '../../src/testing/index.js';
import { REPLAY_MODES, clientFor, emulator, finish, isProbe, observingFetch, socketsClosed, type Finished } from './support.js';

const RING = 64;
/** Nine-byte lines written while the client is away: 90 bytes, more than the ring holds. */
const AWAY = Array.from({ length: 10 }, (_, i) => `B${i}-xyzwv\n`);

/** Writes `first`, waits for stdin EOF, then writes {@link AWAY} and exits 0. */
const wrapping = (first: string): Script => ({
  steps: [{ stdout: first }, { echoStdin: true }, ...AWAY.map((stdout) => ({ stdout })), { exit: 0 }],
  attachFaults: [{ cut: { after: 'replay' } }],
});

/**
 * Runs `exec` so that the first attach is cut after the replay, the probe says running, and,
 * before the client sees that answer, another client ends stdin: the command writes 90 bytes into
 * the 64-byte ring and exits while the client under test is away. Its reconnect then replays the
 * last 64 bytes.
 */
async function runAway(em: RunnerEmulator): Promise<Finished> {
  const other = clientFor(em);
  const { fetch } = observingFetch({
    after: async (call) => {
      if (!isProbe(call)) return;
      const id = decodeURIComponent(call.url.split('/').at(-1) as string);
      await lastValueFrom(other.attach('box', id, { stdin: EMPTY }));
      await socketsClosed(em);
    },
  });
  return finish(clientFor(em, { fetch, ringBytes: RING }).exec('box', { command: 'job' }));
}

/** The last `RING` bytes of everything written: what the reconnect replays. */
const ringOf = (first: string): string => (first + AWAY.join('')).slice(-RING);

describe.each(REPLAY_MODES)(`%s replay, a ${RING}-byte ring that wraps while the client is away`, (replay) => {
  it('an output-lost notice, then the replay in full', async () => {
    const first = 'A'.repeat(30);
    const em = await emulator({ replay, ringBytes: RING, scripts: { job: wrapping(first) } });
    const result = await runAway(em);
    expect(result.stdout).toBe(first + ringOf(first));
    expect(result.exit).toEqual({ type: 'exit', exitCode: 0, source: 'frame' });
    expect(result.notices).toEqual([
      {
        type: 'notice',
        kind: 'output-lost',
        stream: 'stdout',
        message: `stdout: the server's ${RING}-byte buffer wrapped while disconnected; output after byte 30 before the replay is missing`,
      },
    ]);
  });

  // A 1-byte coincidence: the delivered output ends in "\n" and the replay happens to start with
  // "\n" (the end of the lost line "B2-xyzwv\n"). That match proves nothing, so the 27 lost bytes
  // "B0-xyzwv\nB1-xyzwv\nB2-xyzwv" must still be reported. (alignReplay once took any single
  // overlap for continuity and lost them silently; it now trusts an overlap of 32 bytes or more.)
  it('an output-lost notice even when the replay happens to start with the last delivered byte', async () => {
    const first = `${'A'.repeat(29)}\n`;
    const em = await emulator({ replay, ringBytes: RING, scripts: { job: wrapping(first) } });
    const result = await runAway(em);
    expect(result.stdout).toBe(first + ringOf(first).slice(1));
    expect(result.exit).toEqual({ type: 'exit', exitCode: 0, source: 'frame' });
    expect(result.notices).toEqual([
      {
        type: 'notice',
        kind: 'output-lost',
        stream: 'stdout',
        message: `stdout: the replay matches the delivered output on only 1 bytes, too few to rule out that the server's ${RING}-byte buffer wrapped past byte 30; output before the replay may be missing`,
      },
    ]);
  });
});

/** Periodic output ("y\n", as `yes` writes) in 2-byte chunks: 50 bytes, then 1000 more while the client is away. */
const periodic: Script = {
  steps: [
    ...Array.from({ length: 25 }, () => ({ stdout: 'y\n' })),
    { echoStdin: true },
    ...Array.from({ length: 500 }, () => ({ stdout: 'y\n' })),
    { exit: 0 },
  ],
  attachFaults: [{ cut: { after: 'replay' } }],
};

describe(`periodic output, a ${RING}-byte ring that wraps while the client is away`, () => {
  it("'single' replay: the 64-byte replay matches at many offsets, and a notice says so", async () => {
    const em = await emulator({ replay: 'single', ringBytes: RING, scripts: { job: periodic } });
    const result = await runAway(em);
    expect(result.notices.map((notice) => [notice.kind, notice.bytes])).toEqual([['replay-overlap-unknown', 48]]);
  });

  // With one frame per chunk, 50 replayed bytes already match from byte 0; only the replay's full
  // length (64 bytes: a full ring) shows the wrap, so skipReplayed holds the bytes until it comes.
  it("'chunked' replay: the same loss is reported with a notice", async () => {
    const em = await emulator({ replay: 'chunked', ringBytes: RING, scripts: { job: periodic } });
    const result = await runAway(em);
    expect(result.notices.map((notice) => notice.stream)).toEqual(['stdout']);
  });
});
