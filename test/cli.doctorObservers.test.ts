// @module-tag slow/process
/**
 * `boxlite-rx doctor`'s lines for what newer servers added (docs/protocol.md §7): the reading of the
 * attach query `stdin` (serve's, the newer runner's, ignored), the box's main session and the
 * listing, measured by the built CLI against the emulator with each reading.
 */
import { describe, expect, it } from 'vitest';
import type { RunnerEmulator, RunnerEmulatorOptions } from '../src/testing/index.js';
import { connect, emulatorPerTest, runCli, type CliRun } from './support/cli.js';

const start = emulatorPerTest();

/** Real processes, a short Ping period, and ids that show which execution is which. */
const base: RunnerEmulatorOptions = {
  allowProcesses: true,
  pingIntervalMs: 200,
  token: 'doctor-secret-token-0123456789',
  generateExecutionId: ({ request, sequence }) => `${request.command}-${sequence}`,
  scripts: { login: { steps: [{ stdout: 'box ready\n' }, { echoStdin: true }, { exit: 0 }] } },
};

/** The report's lines of the three checks, whole. */
async function lines(em: RunnerEmulator): Promise<{ run: CliRun; found: string[] }> {
  const run = await runCli(['doctor', ...connect(em), 'box-1'], { timeoutMs: 30_000 });
  const found = run.stdout
    .toString()
    .split('\n')
    .filter((text) => /^(ok|DIFFERS) +(read-only|box-attach|listing) /.test(text));
  return { run, found };
}

describe('boxlite-rx doctor: read-only attach, box attach and listing', () => {
  it("the runner preset with a main session: the newer runner's reading, the box route's id, the listing; exit 0", async () => {
    const em = await start({ ...base, mainSessions: { 'box-1': 'login' } });
    const { run, found } = await lines(em);
    expect(run.stderr.toString()).toBe('');
    expect(found).toEqual([
      "ok       read-only      beside a writer, stdin=false got 101, stdin=bogus 409: the newer runner's reading (only false is read-only; observers take no slot)",
      'ok       box-attach     GET /boxes/{boxId}/attach?stdin=false: 101, main session login-0',
      'ok       listing        GET /boxes/{boxId}/executions: 200, 3 executions listed',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).not.toContain(em.token);
    // The observer and the box attach were read-only: nothing they sent reached a command.
    expect(em.stats).toMatchObject({ readOnlyAttaches: 2, readOnlyStdinFrames: 0, readOnlyStdinEofs: 0, stdinBytes: 0 });
    expect(em.execution('login-0')?.status).toBe('running');
  });

  it("the serve preset: serve's reading (409 beside a writer, 400 for a bad value), no main session (404), no listing (404); exit 0", async () => {
    const em = await start({ ...base, server: 'serve' });
    const { run, found } = await lines(em);
    expect(found).toEqual([
      "ok       read-only      beside a writer, stdin=false got 409, stdin=bogus 400: boxlite serve's reading (0|1|false|true; a read-only socket takes the slot)",
      'ok       box-attach     GET /boxes/{boxId}/attach?stdin=false: 404 (no main session in this box, or no box route)',
      'ok       listing        GET /boxes/{boxId}/executions: 404 (not offered: only the newer runner lists)',
    ]);
    expect(run.code).toBe(0);
  });

  it('an older runner that ignores stdin, its main session attached by another client: 409 both; exit 0', async () => {
    const em = await start({ ...base, readOnlyAttach: 'ignored', mainSessions: { 'box-1': 'login' } });
    const { default: WebSocket } = await import('ws');
    const holder = new WebSocket(`${em.url.replace('http', 'ws')}/v1/boxes/box-1/attach`, { headers: { authorization: `Bearer ${em.token}` } });
    await new Promise<void>((resolve, reject) => {
      holder.once('open', () => resolve());
      holder.once('error', reject);
    });
    try {
      const { run, found } = await lines(em);
      expect(found).toEqual([
        'ok       read-only      beside a writer, stdin=false got 409, stdin=bogus 409: stdin is ignored (an older runner: an observer is a writer)',
        'ok       box-attach     GET /boxes/{boxId}/attach?stdin=false: 409 (the main session is attached)',
        'ok       listing        GET /boxes/{boxId}/executions: 200, 3 executions listed',
      ]);
      expect(run.code).toBe(0);
    } finally {
      holder.terminate();
    }
  });
});
