/**
 * The demo's core: BoxLite PR #627's measurement, replayed on this machine. Fast commands run
 * through a proxy that cuts the first attach of about half of the executions right after its
 * 101, once with the pre-fix client and once with boxlite-rx `exec`, and every result is checked
 * against the exact output and exit code the command produced.
 */

import { firstValueFrom, timeout } from 'rxjs';
import { createRunnerClient, toExecResult, type ExecResult, type RunnerClient } from '../src/index.js';
import { startCuttingProxy, startRunnerEmulator, type CuttingProxy, type RunnerEmulator } from '../src/testing/index.js';
import { preFixFollow } from './preFixClient.js';
import { seededRandom } from './prng.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Rounds to run (default 4). */
  readonly rounds?: number;
  /** Commands per round and per client (default 50). */
  readonly commands?: number;
  /** Share of executions whose first attach the proxy cuts (default 0.5). */
  readonly cutRate?: number;
  /** Seed of the cut decisions (default 627). */
  readonly seed?: number;
  /** Called after each round, for progress. */
  readonly onRound?: (round: RoundReport) => void;
}

/** What one client went through. */
export interface Tally {
  readonly commands: number;
  /** Commands whose first attach the proxy cut. */
  readonly cut: number;
  /** Commands whose result misses some of the output. */
  readonly lost: number;
  /** Commands whose result has output twice. */
  readonly duplicated: number;
  /** Commands whose result has another exit code than the command's, or no result at all. */
  readonly wrongExit: number;
  /** Milliseconds from the request to the result, one per command, in order. */
  readonly times: readonly number[];
  /** `lost`, round by round. */
  readonly lostPerRound: readonly number[];
}

/** Progress after one round. */
export interface RoundReport {
  readonly round: number;
  readonly rounds: number;
  readonly preFix: Tally;
  readonly boxliteRx: Tally;
}

/** The whole comparison. */
export interface DemoReport {
  readonly rounds: number;
  readonly commandsPerRound: number;
  readonly preFix: Tally;
  readonly boxliteRx: Tally;
}

type Mode = 'preFix' | 'boxliteRx';

const BOX = 'demo-box';
const EXIT_CODE = 0;
/** No single command may take longer than this (it never comes close). */
const RESULT_BOUND_MS = 10_000;

/** Counts one client's outcomes. */
class Counter {
  commands = 0;
  cut = 0;
  lost = 0;
  duplicated = 0;
  wrongExit = 0;
  readonly times: number[] = [];
  readonly lostPerRound: number[] = [];

  record(expected: string, cut: boolean, ms: number, result: ExecResult | undefined): void {
    this.commands += 1;
    if (cut) this.cut += 1;
    this.times.push(ms);
    const stdout = result?.stdout ?? '';
    if (!stdout.includes(expected)) this.lost += 1;
    if (stdout.length > expected.length) this.duplicated += 1;
    if (result?.exitCode !== EXIT_CODE) this.wrongExit += 1;
  }

  tally(): Tally {
    return { ...this, times: [...this.times], lostPerRound: [...this.lostPerRound] };
  }
}

/** `POST /exec` with a plain fetch: the pre-fix client creates the execution itself. */
async function create(emulator: RunnerEmulator, proxy: CuttingProxy, args: readonly string[]): Promise<string> {
  const response = await fetch(`${proxy.url}/v1/boxes/${BOX}/exec`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ command: 'echo', args }),
  });
  if (response.status !== 201) throw new Error(`POST /exec answered ${response.status}`);
  return ((await response.json()) as { execution_id: string }).execution_id;
}

/** What one command run needs. */
interface Setup {
  readonly emulator: RunnerEmulator;
  readonly proxy: CuttingProxy;
  readonly client: RunnerClient;
}

/** Runs one command with one client: its execution id (once known) and its result (unless it failed). */
async function runCommand(setup: Setup, mode: Mode, args: readonly string[]): Promise<{ id?: string; result?: ExecResult }> {
  const { client } = setup;
  if (mode === 'boxliteRx') {
    const result = await firstValueFrom(client.exec(BOX, { command: 'echo', args }).pipe(toExecResult(), timeout(RESULT_BOUND_MS)));
    return { ...(result.executionId === undefined ? {} : { id: result.executionId }), result };
  }
  const id = await create(setup.emulator, setup.proxy, args);
  try {
    return { id, result: await firstValueFrom(preFixFollow(client, BOX, id).pipe(toExecResult(), timeout(RESULT_BOUND_MS))) };
  } catch {
    return { id };
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`runDemo: ${name} must be a positive integer, got ${value}`);
  return value;
}

/**
 * Runs the comparison and returns the tallies. Starts an emulator and a cutting proxy on
 * 127.0.0.1 and closes both before it resolves, also on failure.
 *
 * @example
 * const report = await runDemo({ rounds: 1, commands: 10 });
 * console.log(report.preFix.lost, report.boxliteRx.lost);
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const { cutRate = 0.5, seed = 627, onRound } = options;
  const rounds = positiveInteger('rounds', options.rounds ?? 4);
  const commands = positiveInteger('commands', options.commands ?? 50);
  if (!(cutRate >= 0 && cutRate <= 1)) throw new RangeError(`runDemo: cutRate must be in [0, 1], got ${cutRate}`);
  const emulator = await startRunnerEmulator({
    scripts: { echo: (request) => ({ steps: [{ stdout: `${(request.args ?? []).join(' ')}\n` }, { exit: EXIT_CODE }] }) },
    generateExecutionId: ({ sequence }) => `exec-${sequence}`,
  });
  const cut = new Set<string>();
  const proxy = await startCuttingProxy({
    target: emulator.url,
    // The same executions are cut on every run: the decision is seeded by the execution's number.
    cut: ({ executionId, attempt }) => {
      if (attempt !== 0 || executionId === undefined) return false;
      if (seededRandom(seed * 1_000_003 + Number(executionId.slice('exec-'.length)))() >= cutRate) return false;
      cut.add(executionId);
      return true;
    },
  });
  try {
    const setup: Setup = { emulator, proxy, client: createRunnerClient({ baseUrl: proxy.url, token: emulator.token }) };
    const counters: Record<Mode, Counter> = { preFix: new Counter(), boxliteRx: new Counter() };
    const once = async (mode: Mode, label: string): Promise<void> => {
      const args = ['hello', label];
      const started = performance.now();
      const { id, result } = await runCommand(setup, mode, args).catch(() => ({ id: undefined, result: undefined }));
      counters[mode].record(`${args.join(' ')}\n`, id !== undefined && cut.has(id), performance.now() - started, result);
    };
    for (let round = 1; round <= rounds; round += 1) {
      const lostBefore = { preFix: counters.preFix.lost, boxliteRx: counters.boxliteRx.lost };
      for (let command = 1; command <= commands; command += 1) {
        await once('preFix', `${round}.${command}`);
        await once('boxliteRx', `${round}.${command}`);
      }
      for (const mode of ['preFix', 'boxliteRx'] as const) counters[mode].lostPerRound.push(counters[mode].lost - lostBefore[mode]);
      onRound?.({ round, rounds, preFix: counters.preFix.tally(), boxliteRx: counters.boxliteRx.tally() });
    }
    return { rounds, commandsPerRound: commands, preFix: counters.preFix.tally(), boxliteRx: counters.boxliteRx.tally() };
  } finally {
    await proxy.close();
    await emulator.close();
  }
}
