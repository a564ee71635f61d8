// @module-tag slow/process
/**
 * The start gate in a box without `sh` (docs/delivery.md, "Start gate"): the server cannot spawn
 * the wrapper and answers `POST /exec` with 500 and the guest's `spawn_failed`, creating nothing;
 * the client then posts the command ungated, once. The command runs once, its stdin carries no
 * gate line, its output and exit are exact. A 500 without `spawn_failed` is not retried.
 * The box without `sh` is a request whose PATH has no `sh`; the command is named by its path.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isBoxliteHttpError } from '../../src/errors.js';
import type { RunnerEmulator } from '../../src/testing/index.js';
import { clientFor, emulator, finish, outcome } from './support.js';

/** A PATH with nothing in it: the box has no `sh`. */
const NO_SH = { PATH: mkdtempSync(join(tmpdir(), 'no-sh-')) };

/** Stdin that looks like real input: log lines with a shared ending, a repeat, UTF-8 and binary. */
const STDIN = Buffer.concat([
  Buffer.from('2026-12-06T22:10:01Z INFO request served path=/v1/boxes status=200\n'.repeat(40)),
  Buffer.from('ünïcödé ✓ 日本語\n'),
  Buffer.from([0, 1, 2, 0xff, 0xfe, 10]),
]);

const execsOf = (em: RunnerEmulator): number => em.stats.executions;

describe('start gate in a box without sh', () => {
  it.each(['runner', 'serve'] as const)('%s: the command runs once, ungated, stdin byte-exact (no gate line), exit exact', async (server) => {
    const em = await emulator({ allowProcesses: true, server });
    const client = clientFor(em, { startGate: true });
    const started = Date.now();
    const result = await finish(
      client.exec('box', { command: '/bin/cat', env: NO_SH }, { stdin: from([STDIN.subarray(0, 100), STDIN.subarray(100)]) }),
    );
    expect(result.stdoutBytes.equals(STDIN)).toBe(true);
    expect(result.stderr).toBe('');
    expect(result.exit.exitCode).toBe(0);
    expect(result.notices).toEqual([]);
    expect(execsOf(em)).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it.each(['runner', 'serve'] as const)('%s: a command exiting 127 itself is its own 127 (sh is missing, not the command)', async (server) => {
    const em = await emulator({ allowProcesses: true, server });
    const client = clientFor(em, { startGate: true });
    const result = await finish(client.exec('box', { command: process.execPath, args: ['-e', 'process.stdout.write("ran\\n"); process.exit(127)'], env: NO_SH }));
    expect(result.stdout).toBe('ran\n');
    expect(result.exit.exitCode).toBe(127);
    expect(execsOf(em)).toBe(1);
  });

  it('a missing program in a box without sh: the ungated POST fails the same way, nothing is created, the error names it', async () => {
    const em = await emulator({ allowProcesses: true });
    const client = clientFor(em, { startGate: true });
    const { events, error } = await outcome(client.exec('box', { command: '/nonexistent/program', env: NO_SH }));
    expect(events).toEqual([]);
    expect(isBoxliteHttpError(error) && error.status).toBe(500);
    expect((error as Error).message).toBe(
      'exec: exec failed: failed to start execution: boxlite: internal error: spawn_failed: spawn /nonexistent/program ENOENT (code=1)',
    );
    expect(execsOf(em)).toBe(0);
    expect(em.stats.restRequests).toBe(2);
  });

  it("a 500 without spawn_failed (a proxy's page) is not retried: one POST, the error, nothing created", async () => {
    const em = await emulator({ allowProcesses: true, errorShape: 'proxy' });
    const client = clientFor(em, { startGate: true });
    const { events, error } = await outcome(client.exec('box', { command: '/bin/cat', env: NO_SH }));
    expect(events).toEqual([]);
    expect(isBoxliteHttpError(error) && error.status).toBe(500);
    expect(em.stats.restRequests).toBe(1);
    expect(execsOf(em)).toBe(0);
  });
});
