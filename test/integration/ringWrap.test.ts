/**
 * Beyond docs/protocol.md §6 case 7: the server's ring wraps while the client is disconnected, so the
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
 * Runs `exec` (`preconnect: false`) so that the first attach is cut after the replay, the probe
 * says running, and, before the client sees that answer, another client ends stdin: the command writes 90 bytes into
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
  // preconnect off: the scenario needs the client away until the probe's answer (with it on, its
  // next socket would take the slot as the probe goes out, and the other client would get 409).
  return finish(clientFor(em, { fetch, ringBytes: RING, preconnect: false }).exec('box', { command: 'job' }));
}

/**
 * What the reconnect replays: the Go runner's last `RING` bytes of everything written, or
 * `boxlite serve`'s newest whole chunks that fit in `RING` (the nine-byte lines written while away).
 */
const replayOf = (first: string, replay: 'single' | 'chunked'): string =>
  replay === 'single' ? (first + AWAY.join('')).slice(-RING) : AWAY.slice(-Math.floor(RING / 9)).join('');

describe.each(REPLAY_MODES)(`%s replay, a ${RING}-byte ring that wraps while the client is away`, (replay) => {
  it('an output-lost notice, then the replay in full', async () => {
    const first = 'A'.repeat(30);
    const em = await emulator({ replay, ringBytes: RING, scripts: { job: wrapping(first) } });
    const result = await runAway(em);
    expect(result.stdout).toBe(first + replayOf(first, replay));
    expect(result.exit).toEqual({ type: 'exit', exitCode: 0, source: 'frame' });
    expect(result.notices).toEqual([
      {
        type: 'notice',
        kind: 'output-lost',
        stream: 'stdout',
        message: "stdout: the server's buffer no longer holds the last delivered bytes; output written after byte 30 and before the replay is missing",
      },
    ]);
  });

  // A 1-byte coincidence on the Go runner: the delivered output ends in "\n" and the replay happens
  // to start with "\n" (the end of the lost line "B2-xyzwv\n"). That match proves nothing, so the
  // replay is delivered whole, and the notice says a byte may repeat and output may be missing.
  // On `boxlite serve` the backlog starts at a whole line, which matches nothing delivered.
  it('a notice even when the replay happens to start with the last delivered byte', async () => {
    const first = `${'A'.repeat(29)}\n`;
    const em = await emulator({ replay, ringBytes: RING, scripts: { job: wrapping(first) } });
    const result = await runAway(em);
    expect(result.stdout).toBe(first + replayOf(first, replay));
    expect(result.exit).toEqual({ type: 'exit', exitCode: 0, source: 'frame' });
    expect(result.notices).toEqual([
      replay === 'single'
        ? {
            type: 'notice',
            kind: 'replay-overlap-unknown',
            stream: 'stdout',
            bytes: 1,
            message: 'stdout: the replay could not be aligned with certainty and is delivered whole: up to 1 bytes may repeat, and output written while disconnected may be missing',
          }
        : {
            type: 'notice',
            kind: 'output-lost',
            stream: 'stdout',
            message: "stdout: the server's buffer no longer holds the last delivered bytes; output written after byte 30 and before the replay is missing",
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

describe.each(REPLAY_MODES)(`periodic output, a ${RING}-byte ring that wraps while the client is away: %s replay`, (replay) => {
  // The 50 delivered bytes match the replay at every even shift: no alignment can be trusted, so
  // the replay is delivered whole, and the notice says up to 50 bytes may repeat.
  it('the replay matches at many offsets; it is delivered whole and a notice says so', async () => {
    const em = await emulator({ replay, ringBytes: RING, scripts: { job: periodic } });
    const result = await runAway(em);
    expect(result.notices.map((notice) => [notice.kind, notice.stream, notice.bytes])).toEqual([['replay-overlap-unknown', 'stdout', 50]]);
    expect(result.stdout).toBe('y\n'.repeat(25 + 32));
    expect(result.exit).toEqual({ type: 'exit', exitCode: 0, source: 'frame' });
  });
});
