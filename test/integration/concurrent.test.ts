// @module-tag slow/sockets
/**
 * 100 executions at once on one client, each with its own output and a random fault on its first
 * attach (a cut at a random byte, after the upgrade, after the replay, before the exit, with or
 * without a Close frame, with the slot held; a 502/503 refusal). Some commands still run when
 * they are cut, so both recovery paths (drain and reconnect) run side by side. Deterministic: the
 * plan of each job comes from a PRNG seeded with the job's number, whatever the interleaving.
 */

import { describe, expect, it } from 'vitest';
import { randomInt, seededRandom } from '../../demo/prng.js';
import type { AttachFault, Script, ScriptStep } from '../../src/testing/index.js';
import { REPLAY_MODES, clientFor, emulator, finish, socketsClosed } from './support.js';

const JOBS = 100;
const SEED = 627;

/** What one job writes, how it ends, and what its first attach suffers. */
interface JobPlan {
  readonly steps: readonly ScriptStep[];
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly fault: AttachFault | undefined;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzäöü€✓';

function planJob(job: number): JobPlan {
  const random = seededRandom(SEED * 1000 + job);
  const text = (length: number): string => Array.from({ length }, () => LETTERS[randomInt(random, 0, LETTERS.length - 1)]).join('');
  const steps: ScriptStep[] = [];
  let stdout = '';
  let stderr = '';
  const paced = random() < 0.4;
  const chunks = randomInt(random, 1, 6);
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    const line = `job ${job} #${chunk} ${text(randomInt(random, 0, 120))}\n`;
    if (random() < 0.25) {
      steps.push({ stderr: line });
      stderr += line;
    } else {
      steps.push({ stdout: line });
      stdout += line;
    }
    if (paced) steps.push({ waitMs: randomInt(random, 1, 25) });
  }
  const exitCode = job % 7;
  steps.push({ exit: exitCode });
  const total = Buffer.byteLength(stdout) + Buffer.byteLength(stderr);
  const how = random() < 0.5 ? 'destroy' : 'close';
  const faults: (AttachFault | undefined)[] = [
    undefined,
    { cut: { after: { outputBytes: randomInt(random, 0, total) }, how } },
    { cut: { after: { outputBytes: randomInt(random, 0, total) }, how, holdSlotMs: randomInt(random, 10, 80) } },
    { cut: { after: 'upgrade', how } },
    { cut: { after: 'replay', how } },
    { cut: { after: 'before-exit', how } },
    { reject: { status: random() < 0.5 ? 502 : 503 } },
  ];
  return { steps, stdout, stderr, exitCode, fault: faults[randomInt(random, 0, faults.length - 1)] };
}

describe(`${JOBS} concurrent executions with random faults on one client (seed ${SEED})`, () => {
  it.each(REPLAY_MODES)('%s replay: every one gets its exact output, its exact exit code, from the exit frame, exactly once', async (replay) => {
    const plans = Array.from({ length: JOBS }, (_, job) => planJob(job));
    const jobOf = (executionId: string): number => Number(executionId.slice('job-'.length));
    const script = (args: readonly string[] | undefined): Script => ({ steps: (plans[Number(args?.[0])] as JobPlan).steps });
    const em = await emulator({
      replay,
      scripts: { job: (request) => script(request.args) },
      generateExecutionId: ({ request }) => `job-${request.args?.[0] ?? ''}`,
      faults: ({ executionId, attempt }) => (attempt === 0 ? plans[jobOf(executionId)]?.fault : undefined),
    });
    // A roomier reconnect budget than the other tests: 100 recoveries share two loaded cores.
    const client = clientFor(em, { reconnect: { initialDelay: 20, maxDelay: 40, budget: 10_000 } });

    const results = await Promise.all(plans.map((_, job) => finish(client.exec('box', { command: 'job', args: [String(job)] }), 15_000)));

    results.forEach((result, job) => {
      const plan = plans[job] as JobPlan;
      expect({ job, stdout: result.stdout, stderr: result.stderr, exit: result.exit, notices: result.notices }).toEqual({
        job,
        stdout: plan.stdout,
        stderr: plan.stderr,
        exit: { type: 'exit', exitCode: plan.exitCode, source: 'frame' },
        notices: [],
      });
      expect(result.executionId).toBe(`job-${job}`);
    });
    const planned = plans.map((plan) => plan.fault);
    await socketsClosed(em);
    expect(em.stats).toMatchObject({
      executions: JOBS,
      running: 0,
      cuts: planned.filter((fault) => fault?.cut !== undefined).length,
      rejectedByFault: planned.filter((fault) => fault?.reject !== undefined).length,
      droppedChunks: 0,
      openSockets: 0,
    });
  });
});
