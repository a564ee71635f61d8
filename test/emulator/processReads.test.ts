// @module-tag slow/process
/**
 * `allowProcesses` reads output as the runner's pump does (src/testing/emulator/pacedReads.ts):
 * 1 KiB frames, about 5 MB/s at most, and a producer faster than any client loses nothing for a
 * client that keeps up, with the library and with the CLI into `wc -c`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerClient } from '../../src/index.js';
import { startRunnerEmulator, type RunnerEmulator } from '../../src/testing/index.js';
import { READ_BYTES } from '../../src/testing/emulator/pacedReads.js';

const run = promisify(execFile);
const MIB = 1024 * 1024;
const emulators: RunnerEmulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((em) => em.close()));
});

describe.each(['runner', 'serve'] as const)('allowProcesses on the %s preset', (server) => {
  it('16 MiB from head -c reach the library in 1 KiB frames, every byte, at no more than about 5 MB/s', async () => {
    const em = await startRunnerEmulator({ server, allowProcesses: true });
    emulators.push(em);
    const client = createRunnerClient({ baseUrl: em.url, token: em.token });
    const started = performance.now();
    const events = await lastValueFrom(client.exec('box', { command: 'head', args: ['-c', String(16 * MIB), '/dev/zero'] }).pipe(toArray()));
    const seconds = (performance.now() - started) / 1000;
    // A joined event (the frames of one socket read) keeps each frame's length.
    const frames = events.flatMap((event) => (event.type === 'stdout' ? (event.frames ?? [event.data.length]) : []));
    expect(frames.reduce((sum, length) => sum + length, 0)).toBe(16 * MIB);
    expect(Math.max(...frames)).toBe(READ_BYTES);
    expect(events.filter((event) => event.type === 'notice')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 0, source: 'frame' });
    expect(em.stats.droppedChunks).toBe(0);
    // 16 MiB at about 5 MB/s: at least 3 s, whatever the machine.
    expect(seconds).toBeGreaterThan(3);
  });
});

it('the CLI into wc -c: 8 MiB, every byte, exit 0', async () => {
  const em = await startRunnerEmulator({ allowProcesses: true });
  emulators.push(em);
  const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
  const { stdout } = await run('sh', ['-c', `node "${cli}" exec --url "${em.url}" --token "${em.token}" box -- head -c ${8 * MIB} /dev/zero | wc -c`], {
    timeout: 30_000,
  });
  expect(stdout.trim()).toBe(String(8 * MIB));
  expect(em.stats.droppedChunks).toBe(0);
});
