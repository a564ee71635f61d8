// @module-tag slow/process
/**
 * The start gate (docs/delivery.md, "Start gate") through a real `sh` (`allowProcesses`): a fast
 * command's output is whole from its first byte, a missing or non-executable program exits 127
 * or 126 with one stderr line, as `docker exec` does, and a gate that cannot open exits 125
 * with one line.
 */

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { GATE_CLOSED_EXIT, gatedRequest } from '../../src/protocol/startGate.js';
import { startExecution } from '../support/emulator.js';
import { clientFor, emulator, finish, outputOf } from './support.js';

const RUNS = 20;
const SEQ = execFileSync('seq', ['1', '100000']);

describe('start gate with allowProcesses', () => {
  it(`seq 1 100000 (${SEQ.length} B, more than the 256 KiB ring) through the gate: exact, ${RUNS} of ${RUNS}`, async () => {
    const em = await emulator({ allowProcesses: true });
    const client = clientFor(em, { startGate: true });
    for (let run = 0; run < RUNS; run += 1) {
      const result = await finish(client.exec('box', { command: 'seq', args: ['1', '100000'] }), 20_000);
      expect(result.stdoutBytes.equals(SEQ)).toBe(true);
      expect(result.exit.exitCode).toBe(0);
      expect(result.notices).toEqual([]);
    }
  }, 60_000);

  it('a missing program exits 127, a non-executable file 126, each with one stderr line', async () => {
    const em = await emulator({ allowProcesses: true });
    const client = clientFor(em, { startGate: true });
    const missing = await finish(client.exec('box', { command: 'no-such-program-boxlite-rx' }));
    expect(missing.exit.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/^[^\n]*no-such-program-boxlite-rx: not found\n$/);
    const file = join(mkdtempSync(join(tmpdir(), 'gate-')), 'plain');
    writeFileSync(file, 'echo never\n');
    chmodSync(file, 0o644);
    const plain = await finish(client.exec('box', { command: file }));
    expect(plain.exit.exitCode).toBe(126);
    expect(plain.stderr).toMatch(/^[^\n]*Permission denied\n$/);
    expect(plain.stdout).toBe('');
  });

  it('arguments, exit code and environment pass through exec "$0" "$@" unchanged', async () => {
    const em = await emulator({ allowProcesses: true });
    const client = clientFor(em, { startGate: true });
    const script = 'printf "%s|" "$@"; printf "%s" "${SHLVL-unset}"; exit 7';
    const result = await finish(client.exec('box', { command: 'sh', args: ['-c', script, 'zero', '-n', 'a b', '', '$HOME'], env: { SHLVL: '4' } }));
    expect(result.stdout).toBe('-n|a b||$HOME|4');
    expect(result.exit.exitCode).toBe(7);
  });

  it('a gate whose stdin ends before its line exits 125 with one line; the command never runs', async () => {
    const em = await emulator({ allowProcesses: true });
    const request = gatedRequest({ command: 'echo', args: ['never'] }, 'gabc');
    const id = await startExecution(em, request as unknown as Record<string, unknown>);
    const events = await lastValueFrom(clientFor(em).attach('box', id, { stdin: EMPTY }).pipe(toArray()));
    expect(outputOf(events)).toEqual({ stdout: '', stderr: 'boxlite-rx: start gate closed: stdin ended\n' });
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: GATE_CLOSED_EXIT });
  });
});
