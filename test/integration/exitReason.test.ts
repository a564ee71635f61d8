/**
 * The `exitReason` option on real sockets: a failed command's `error_message` reaches the exit
 * event and `ExecResult.exitMessage` at the cost of one GET; without the option, or after a zero
 * exit, no request is made.
 */
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunnerClient } from '../../src/client/createRunnerClient.js';
import { toExecResult } from '../../src/operators/toExecResult.js';
import { startRunnerEmulator, type RunnerEmulator } from '../../src/testing/index.js';

let em: RunnerEmulator | undefined;
afterEach(async () => {
  await em?.close();
  em = undefined;
});

/** The runner's `error_message` when waiting for the process failed (a spawn failure is a 500 at `POST /exec`: cli.diagnostics.test.ts). */
const WAIT_FAILED = 'wait: guest connection lost';

async function run(command: string, exitReason: boolean) {
  em ??= await startRunnerEmulator({
    scripts: { failing: { steps: [{ stderr: 'half a line' }, { exit: 127, errorMessage: WAIT_FAILED }] }, ok: { steps: [{ stdout: 'done\n' }] } },
  });
  const client = createRunnerClient({ baseUrl: em.url, token: em.token, exitReason });
  const before = em.stats.restRequests;
  const result = await firstValueFrom(client.exec('box-1', { command }).pipe(toExecResult()));
  return { result, requests: em.stats.restRequests - before };
}

describe('exitReason', () => {
  it("puts a failed command's error_message on the exit (one GET after the POST)", async () => {
    const { result, requests } = await run('failing', true);
    expect(result.exitCode).toBe(127);
    expect(result.exitSource).toBe('frame');
    expect(result.exitMessage).toBe(WAIT_FAILED);
    expect(requests).toBe(2);
  });

  it('asks nothing after a zero exit, nor without the option', async () => {
    const ok = await run('ok', true);
    expect(ok.result.exitCode).toBe(0);
    expect(ok.result.exitMessage).toBeUndefined();
    expect(ok.requests).toBe(1);
    const off = await run('failing', false);
    expect(off.result.exitCode).toBe(127);
    expect(off.result.exitMessage).toBeUndefined();
    expect(off.requests).toBe(1);
  });
});
