// @module-tag slow/process
/**
 * The CLI's start gate (docs/delivery.md, "Start gate"): `exec` without `-d` starts the command
 * once attached, so 300,000 B written before any attach arrive whole with no warning; `exec -d`
 * and `--no-start-gate` start it at `POST /exec`; a missing program exits 127 with one line.
 */
import { filter, firstValueFrom, toArray, take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { connect, emulatorPerTest, runCli } from './support/cli.js';

const start = emulatorPerTest();

// 100 chunks of 3000 bytes, written at once: more than the Go runner's 256 KiB ring.
const chunk = 'y\n'.repeat(1500);
const many = { steps: [...Array.from({ length: 100 }, () => ({ stdout: chunk })), { exit: 3 }] };

describe('boxlite-rx exec through the start gate', () => {
  it('a command that writes more than the backlog at once: every byte, no warning, its exit code', async () => {
    const em = await start({ scripts: { many } });
    const run = await runCli(['exec', ...connect(em), 'box-1', '--', 'many']);
    expect(run.stdout.equals(Buffer.from(chunk.repeat(100)))).toBe(true);
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(3);
  });

  it('--no-start-gate and exec -d send the command itself; exec -d leaves it running (no DELETE)', async () => {
    const em = await start({ scripts: { many } });
    const bodies = firstValueFrom(em.events.pipe(filter((event) => event.type === 'exec'), take(2), toArray()));
    const ungated = await runCli(['exec', ...connect(em), '--no-start-gate', 'box-1', '--', 'many']);
    expect(ungated.code).toBe(3);
    const detached = await runCli(['exec', ...connect(em), '-d', 'box-1', '--', 'many']);
    expect(detached.code).toBe(0);
    expect(await bodies).toMatchObject([{ command: 'many' }, { command: 'many' }]);
    expect(em.stats.evictions).toBe(0);
  });

  it('--no-start-gate does not apply to -d', async () => {
    const run = await runCli(['exec', '--url', 'http://127.0.0.1:1', '-d', '--no-start-gate', 'box-1', '--', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr.toString()).toContain('--no-start-gate does not apply to --detach');
  });

  it('a missing program exits 127 with one line', async () => {
    const em = await start({ allowProcesses: true });
    const run = await runCli(['exec', ...connect(em), 'box-1', '--', 'no-such-program-boxlite-rx']);
    expect(run.code).toBe(127);
    expect(run.stderr.toString()).toMatch(/^[^\n]*no-such-program-boxlite-rx: not found\n$/);
  });
});
