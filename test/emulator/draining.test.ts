/**
 * The emulator draining for a deploy: `POST /exec` and attach upgrades answer 503 "runner is
 * draining" in the server's error shape, nothing is created, and draining is started and stopped
 * by the `draining` option and `setDraining`, checked like every option.
 */
import { describe, expect, it } from 'vitest';
import { boxUrl } from '../../src/protocol/paths.js';
import { startRunnerEmulator, type RunnerEmulator } from '../../src/testing/index.js';
import { auth, emulator, endpoint, startExecution } from '../support/emulator.js';
import { tryAttach } from './attachClient.js';

const scripts = { job: { steps: [{ stdout: 'done\n' }, { exit: 0 }] } };

async function postExec(em: RunnerEmulator): Promise<{ status: number; contentType: string | null; body: string }> {
  const res = await fetch(boxUrl(endpoint(em), 'box', '/exec'), { method: 'POST', headers: auth(em), body: JSON.stringify({ command: 'job' }) });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
}

describe('emulator: draining', () => {
  it("runner: POST /exec answers the runner's 503 while draining, creates nothing, and 201 once setDraining(false)", async () => {
    const em = await emulator({ scripts, draining: true });
    for (let i = 0; i < 3; i += 1) {
      expect(await postExec(em)).toEqual({ status: 503, contentType: 'application/json; charset=utf-8', body: '{"error":"runner is draining"}' });
    }
    expect(em.stats).toMatchObject({ executions: 0, drainingRefusals: 3 });
    em.setDraining(false);
    expect((await postExec(em)).status).toBe(201);
    expect(em.stats).toMatchObject({ executions: 1, drainingRefusals: 3 });
  });

  it("serve (which does not drain): the same refusal in serve's shape", async () => {
    const em = await emulator({ scripts, server: 'serve', draining: { execs: 1 } });
    expect(await postExec(em)).toEqual({
      status: 503,
      contentType: 'application/json',
      body: '{"error":{"message":"runner is draining","type":"InvalidStateError","code":"invalid_state"}}',
    });
    expect((await postExec(em)).status).toBe(201);
  });

  it('counts: { execs: 2 } refuses the next two POST /exec only; { attaches: 1 } the next upgrade only, reported as a 503 attach', async () => {
    const em = await emulator({ scripts });
    em.setDraining({ execs: 2 });
    expect([(await postExec(em)).status, (await postExec(em)).status, (await postExec(em)).status]).toEqual([503, 503, 201]);
    const id = await startExecution(em, { command: 'job' });
    em.setDraining({ attaches: 1 });
    const events: string[] = [];
    em.events.subscribe((e) => {
      if (e.type === 'attach') events.push(`${e.attempt}:${e.status}`);
    });
    expect(await tryAttach(em, id)).toEqual({ kind: 'refused', status: 503, contentType: 'application/json; charset=utf-8', body: '{"error":"runner is draining"}' });
    expect((await postExec(em)).status).toBe(201);
    expect((await tryAttach(em, id)).kind).toBe('open');
    expect(events).toEqual(['0:503', '1:101']);
    expect(em.stats).toMatchObject({ drainingRefusals: 3 });
  });

  it.each([
    [{ draining: 'yes' }, TypeError, 'startRunnerEmulator: draining must be a boolean or { execs, attaches }, got yes'],
    [{ draining: { exec: 2 } }, TypeError, 'startRunnerEmulator: unknown option draining.exec'],
    [{ draining: { execs: -1 } }, RangeError, 'startRunnerEmulator: draining.execs must be an integer >= 0, got -1'],
    [{ draining: { attaches: 1.5 } }, RangeError, 'startRunnerEmulator: draining.attaches must be an integer >= 0, got 1.5'],
  ])('option %j: %s up front', async (options, type, message) => {
    const start = startRunnerEmulator(options as never);
    await expect(start).rejects.toThrow(type);
    await expect(start).rejects.toThrow(message);
  });

  it('setDraining checks its value the same way', async () => {
    const em = await emulator({ scripts });
    expect(() => em.setDraining({ execs: 1, attach: 1 } as never)).toThrow('setDraining: unknown option draining.attach');
    expect(() => em.setDraining({ execs: Number.NaN })).toThrow(RangeError);
  });
});
