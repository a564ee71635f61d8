/**
 * A script is checked as options are (`checkScript`): every step of one known kind, with only
 * that kind's keys and values of their types. A misspelled step used to run as another one
 * (`{ stdot: … }` waited for an attach), silently.
 */
import { describe, expect, it } from 'vitest';
import { startRunnerEmulator, type Script } from '../../src/testing/index.js';

const start = (script: unknown) => startRunnerEmulator({ scripts: { job: script as Script } });

describe('startRunnerEmulator: every script step is checked up front', () => {
  it.each([
    [{ steps: [{ stdot: 'x' }] }, TypeError, 'scripts.job.steps[0] must be a step (stdout, stderr, waitMs, exit, echoStdin, waitForAttach, flood, lost), got {"stdot":"x"}'],
    [{ steps: [{ stdout: 'a' }, {}] }, TypeError, 'scripts.job.steps[1] must be a step'],
    [{ steps: [null] }, TypeError, 'scripts.job.steps[0] must be a step'],
    [{ steps: 'echo hi' }, TypeError, 'scripts.job.steps must be an array of steps'],
    [{ steps: [], tyy: true }, TypeError, 'unknown option scripts.job.tyy'],
    [{ steps: [{ stdout: 'a', exit: 0 }] }, TypeError, 'unknown option scripts.job.steps[0].exit'],
    [{ steps: [{ stdout: 42 }] }, TypeError, 'scripts.job.steps[0].stdout must be a string or a Uint8Array'],
    [{ steps: [{ waitMs: -5 }] }, RangeError, 'scripts.job.steps[0].waitMs must be a number of milliseconds >= 0'],
    [{ steps: [{ waitMs: '10' }] }, RangeError, 'scripts.job.steps[0].waitMs must be'],
    [{ steps: [{ exit: 1.5 }] }, RangeError, 'scripts.job.steps[0].exit must be an integer, got 1.5'],
    [{ steps: [{ exit: 1, errorMessage: 7 }] }, TypeError, 'scripts.job.steps[0].errorMessage must be a string'],
    [{ steps: [{ echoStdin: 'yes' }] }, TypeError, 'scripts.job.steps[0].echoStdin must be true, got "yes"'],
    [{ steps: [{ waitForAttach: false }] }, TypeError, 'scripts.job.steps[0].waitForAttach must be true, got false'],
    [{ steps: [{ flood: { chunk: 'y\n' } }] }, RangeError, 'scripts.job.steps[0].flood.count must be an integer >= 0'],
    [{ steps: [{ flood: { chunk: 'y\n', count: 3, streem: 'stderr' } }] }, TypeError, 'unknown option scripts.job.steps[0].flood.streem'],
  ])('%j', async (script, type, message) => {
    await expect(start(script)).rejects.toThrow(type);
    await expect(start(script)).rejects.toThrow(message);
  });

  it('every kind of step, well formed, is accepted and runs', async () => {
    const em = await start({
      steps: [
        { stdout: 'a' },
        { stderr: new Uint8Array([98]) },
        { waitMs: 0 },
        { lost: { stream: 'stdout', bytes: 3 } },
        { flood: { chunk: 'y\n', count: 2 } },
        { exit: 4, errorMessage: 'wait failed' },
      ],
    });
    try {
      const res = await fetch(`${em.url}/v1/boxes/box/exec`, {
        method: 'POST',
        headers: { authorization: `Bearer ${em.token}` },
        body: JSON.stringify({ command: 'job' }),
      });
      expect(res.status).toBe(201);
    } finally {
      await em.close();
    }
  });

  it('a script function is checked per request: a bad step is a 400 naming it', async () => {
    const em = await startRunnerEmulator({ scripts: { job: () => ({ steps: [{ stdot: 'x' }] }) as never } });
    try {
      const res = await fetch(`${em.url}/v1/boxes/box/exec`, {
        method: 'POST',
        headers: { authorization: `Bearer ${em.token}` },
        body: JSON.stringify({ command: 'job' }),
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('script.steps[0] must be a step');
    } finally {
      await em.close();
    }
  });

  it("an output step whose text a getter makes is not read by the check (the text is made when the step runs)", async () => {
    let reads = 0;
    const line = {
      get stdout(): string {
        reads += 1;
        return `tick ${reads}\n`;
      },
    };
    const em = await start({ steps: [line, line] });
    try {
      expect(reads).toBe(0);
    } finally {
      await em.close();
    }
  });
});
