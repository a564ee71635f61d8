/**
 * `RunExit` alone, with fake output queues whose writing the test finishes by hand: the first way
 * out wins, `--strict`, the late write failure that replaces the status, and which ways out wait
 * for stdout.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunExit, type ExitOutput } from '../../src/cli/runExit.js';

/** An output queue whose pending write the test ends (`written`), failing it or not. */
interface FakeOutput extends ExitOutput {
  /** Ends the pending write; with `error`, as the write that failed. */
  written(error?: NodeJS.ErrnoException): void;
  /** Fails the queue now (an earlier write), as `OutputQueue.failed` would say. */
  fail(error: NodeJS.ErrnoException): void;
  readonly closes: number;
}

function fakeOutput(): FakeOutput {
  let failure: NodeJS.ErrnoException | undefined;
  let closes = 0;
  const waiters: (() => void)[] = [];
  return {
    get failure() {
      return failure;
    },
    get closes() {
      return closes;
    },
    flushed: () => (failure === undefined ? new Promise<void>((resolve) => waiters.push(resolve)) : Promise.resolve()),
    close: () => {
      closes += 1;
    },
    written(error) {
      failure ??= error;
      for (const resolve of waiters.splice(0)) resolve();
    },
    fail(error) {
      failure = error;
    },
  };
}

const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });
const ENOSPC = errno('ENOSPC', 'ENOSPC: no space left on device, write');
const EPIPE = errno('EPIPE', 'write EPIPE');

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A run's exit over fake queues; `direct()` reads the lines written to stderr's descriptor itself. */
function exitOf(strict = false) {
  const dir = mkdtempSync(join(tmpdir(), 'runExit-'));
  const path = join(dir, 'stderr');
  const stderrFd = openSync(path, 'w');
  cleanups.push(() => {
    closeSync(stderrFd);
    rmSync(dir, { recursive: true, force: true });
  });
  const stdout = fakeOutput();
  const stderr = fakeOutput();
  const said: string[] = [];
  let stops = 0;
  const exit = new RunExit({ stdout, stderr, stderrFd, strict, say: (line) => said.push(line), stop: () => (stops += 1) });
  const settled: { status?: number } = {};
  void exit.status.then((status) => (settled.status = status));
  return {
    exit,
    stdout,
    stderr,
    said,
    settled,
    stops: () => stops,
    direct: () => readFileSync(path, 'utf8'),
  };
}

/** Lets every promise callback already due run (the exit resolves after `flushed()` does). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('RunExit: the first way out wins', () => {
  it('a second way out is a no-op: the first status resolves, after the output the first waits for', async () => {
    const run = exitOf();
    run.exit.commandExited(3, false);
    // Left alone, this one would resolve first: it does not wait for stdout.
    run.exit.signalledTwice({ name: 'SIGTERM', number: 15, repeat: true });
    run.exit.clientFailed('late');
    run.exit.outputFailed('stdout', ENOSPC);
    run.stderr.written();
    await settle();
    expect(run.settled).toEqual({});
    run.stdout.written();
    await settle();
    expect(run.settled).toEqual({ status: 3 });
    expect(run.said).toEqual([]);
    expect(run.stops()).toBe(1);
    expect([run.stdout.closes, run.stderr.closes]).toEqual([1, 1]);
  });

  it('a way out after the status resolved changes nothing', async () => {
    const run = exitOf();
    run.exit.signalledTwice({ name: 'SIGINT', number: 2, repeat: true });
    run.stderr.written();
    await settle();
    expect(run.settled).toEqual({ status: 130 });
    run.exit.commandExited(0, false);
    run.stdout.written();
    await settle();
    expect(run.settled).toEqual({ status: 130 });
    expect(run.said).toEqual(['SIGINT twice: leaving (the command may still run)']);
    expect(run.stops()).toBe(1);
    expect([run.stdout.closes, run.stderr.closes]).toEqual([1, 1]);
  });

  it('stops the run at once (socket, signals, raw mode), before any output is written', () => {
    const run = exitOf();
    run.exit.commandExited(0, false);
    expect(run.stops()).toBe(1);
    expect([run.stdout.closes, run.stderr.closes]).toEqual([0, 0]);
  });
});

describe('RunExit: which ways out wait for stdout', () => {
  it.each([
    ['the command exited', (exit: RunExit) => exit.commandExited(7, false), 7, []],
    ['the client failed', (exit: RunExit) => exit.clientFailed('box box-9 not found'), 125, ['box box-9 not found']],
  ])('%s: after stdout and stderr are written', async (_name, leave, status, said) => {
    const run = exitOf();
    leave(run.exit);
    run.stderr.written();
    await settle();
    expect(run.settled).toEqual({});
    run.stdout.written();
    await settle();
    expect(run.settled).toEqual({ status });
    expect(run.said).toEqual(said);
  });

  it.each([
    ['the same signal twice', (exit: RunExit) => exit.signalledTwice({ name: 'SIGHUP', number: 1, repeat: true }), 129, ['SIGHUP twice: leaving (the command may still run)'], ''],
    ['stdout gone (EPIPE)', (exit: RunExit) => exit.outputFailed('stdout', EPIPE), 141, [], ''],
    ['stdout failed (ENOSPC)', (exit: RunExit) => exit.outputFailed('stdout', ENOSPC), 125, ['stdout: ENOSPC: no space left on device, write'], ''],
    ['stderr failed (ENOSPC)', (exit: RunExit) => exit.outputFailed('stderr', ENOSPC), 125, [], 'boxlite-rx: stderr: ENOSPC: no space left on device, write\n'],
    ['stderr gone (EPIPE)', (exit: RunExit) => exit.outputFailed('stderr', EPIPE), 141, [], ''],
  ])('%s: after stderr only', async (_name, leave, status, said, direct) => {
    const run = exitOf();
    leave(run.exit);
    run.stderr.written();
    await settle();
    expect(run.settled).toEqual({ status });
    expect(run.said).toEqual(said);
    expect(run.direct()).toBe(direct);
    expect(run.stdout.closes).toBe(1);
  });
});

describe('RunExit: --strict', () => {
  it.each([
    [true, true, 124, ["--strict: a warning was printed, so exiting 124 instead of the command's 3"]],
    [true, false, 3, []],
    [false, true, 3, []],
  ])('strict %s, warned %s: %i', async (strict, warned, status, said) => {
    const run = exitOf(strict);
    run.exit.commandExited(3, warned);
    expect(run.said).toEqual(said);
    run.stdout.written();
    run.stderr.written();
    await settle();
    expect(run.settled).toEqual({ status });
  });

  it('a client failure is 125 under --strict, warned or not', async () => {
    const run = exitOf(true);
    run.exit.clientFailed('the command ended without a usable exit code (undefined)');
    run.stdout.written();
    run.stderr.written();
    await settle();
    expect(run.settled).toEqual({ status: 125 });
  });
});

describe('RunExit: a stream that fails while the last output is written', () => {
  it.each([
    ['stdout, ENOSPC', 'stdout', ENOSPC, 125, 'boxlite-rx: stdout: ENOSPC: no space left on device, write\n'],
    ['stdout, EPIPE', 'stdout', EPIPE, 141, ''],
    ['stderr, ENOSPC', 'stderr', ENOSPC, 125, 'boxlite-rx: stderr: ENOSPC: no space left on device, write\n'],
  ] as const)('%s: its status replaces the command\'s 0 (and the 124 of --strict)', async (_name, stream, error, status, direct) => {
    const run = exitOf(true);
    run.exit.commandExited(0, true);
    run[stream].written(error);
    run[stream === 'stdout' ? 'stderr' : 'stdout'].written();
    await settle();
    expect(run.settled).toEqual({ status });
    expect(run.direct()).toBe(direct);
  });

  it('a stdout that fails after a way out that does not wait for it changes nothing', async () => {
    const run = exitOf();
    run.exit.signalledTwice({ name: 'SIGTERM', number: 15, repeat: true });
    run.stdout.fail(ENOSPC);
    run.stderr.written();
    await settle();
    expect(run.settled).toEqual({ status: 143 });
    expect(run.direct()).toBe('');
  });

  it('the failure that chose the way out is not counted again', async () => {
    const run = exitOf();
    run.stderr.fail(ENOSPC);
    run.exit.outputFailed('stderr', ENOSPC);
    await settle();
    expect(run.settled).toEqual({ status: 125 });
    expect(run.direct()).toBe('boxlite-rx: stderr: ENOSPC: no space left on device, write\n');
  });

  it('both failing: stdout\'s status, and a line for each', async () => {
    const run = exitOf();
    run.exit.commandExited(0, false);
    run.stdout.written(EPIPE);
    run.stderr.written(ENOSPC);
    await settle();
    expect(run.settled).toEqual({ status: 141 });
    expect(run.direct()).toBe('boxlite-rx: stderr: ENOSPC: no space left on device, write\n');
  });
});
