/**
 * Real child processes, for `allowProcesses: true`: `command` and `args` are spawned without a
 * shell, with `env` merged over the emulator's own environment and `working_dir` as cwd.
 * Output is captured from the start, attached or not.
 *
 * Decisions where real runners differ or the protocol is silent:
 * - No pseudo-terminal: a `tty` execution gets pipes, and its stderr is sent on the stdout
 *   channel (TTY executions use only 0x01); `resize` is recorded and otherwise ignored.
 * - A process ended by a signal exits with 128+N.
 * - Each process leads a process group of its own, and SIGKILL (`DELETE`, `timeout_seconds`, orphan
 *   reaping, `close()`) goes to the whole group, as the runner kills it: a shell's children die with
 *   it, so their pipes close and the exit is reported at once. Other signals go to the process only.
 * - Output is read as the runner's pump reads it: 1 KiB at a time, at most about 5 MB/s per
 *   stream (`processReadsPerMs`), and while a client is attached no faster than its queue empties
 *   (`pacedReads`); a faster producer is held back by its pipe. With `processQueueFull: 'drop'`
 *   the reads do not wait for the queue, and a full one drops the chunk, as the runner does.
 * - A spawn failure (unknown program, not executable, bad cwd) creates nothing: `POST /exec`
 *   answers 500 with the guest's `spawn_failed` reason, as both servers do (`spawnChild`).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';
import { Subscription } from 'rxjs';
import type { ExecRequest } from '../../protocol/types.js';
import { signalExitCode, type ExecutionDriver, type ExecutionSink } from './execution.js';
import { pacedReads, type PacedReads } from './pacedReads.js';

/**
 * Spawns `request`'s process, or gives the spawn's error (Node reports it after the call, in the
 * next tick, with the child's `pid` unset at once).
 */
export async function spawnChild(request: ExecRequest): Promise<ChildProcess | NodeJS.ErrnoException> {
  const child = spawn(request.command, [...(request.args ?? [])], {
    env: { ...process.env, ...request.env },
    ...(request.working_dir !== undefined ? { cwd: request.working_dir } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
    shell: false,
    detached: true,
    windowsHide: true,
  });
  if (child.pid !== undefined) return child;
  const [error] = (await once(child, 'error')) as [NodeJS.ErrnoException];
  return error;
}

/** Drives one child process. */
export class ProcessDriver implements ExecutionDriver {
  private readonly child: ChildProcess;
  private readonly closed: Promise<void>;
  private running = true;
  private readonly reads = new Subscription();
  private readonly pumps: PacedReads[] = [];

  /**
   * Drives a spawned process.
   * @param child the process, spawned by {@link spawnChild}.
   * @param sink where output and exit go.
   * @param tty whether stderr goes to the stdout channel.
   * @param isAttached whether a client socket is attached whose queue paces the reads.
   * @param readsPerMs reads a millisecond and stream (`Infinity`: unpaced).
   */
  constructor(child: ChildProcess, sink: ExecutionSink, tty: boolean, isAttached: () => boolean, readsPerMs: number) {
    this.child = child;
    this.child.stdin?.on('error', () => undefined);
    // Read as the runner's pump reads: 1 KiB at a time, at its pace (pacedReads.ts).
    const room = (): number | undefined => (isAttached() ? sink.outputRoom() : undefined);
    const { stdout, stderr } = this.child;
    if (stdout) this.pumps.push(pacedReads(stdout, room, (chunk) => sink.output('stdout', chunk), readsPerMs));
    if (stderr) this.pumps.push(pacedReads(stderr, room, (chunk) => sink.output(tty ? 'stdout' : 'stderr', chunk), readsPerMs));
    for (const pump of this.pumps) this.reads.add(pump);
    this.child.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      this.child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.running = false;
        this.reads.unsubscribe();
        if (code !== null) {
          sink.exit(code);
        } else {
          sink.exit(signalExitCode(signal === null ? 0 : constants.signals[signal]));
        }
        resolve();
      });
    });
  }

  start(): void {
    // The process runs from construction on.
  }

  writeStdin(data: Uint8Array): void {
    const stdin = this.child.stdin;
    if (stdin !== null && stdin.writable) stdin.write(data);
  }

  endStdin(): void {
    this.child.stdin?.end();
  }

  signal(signal: number): void {
    if (!this.running || this.child.pid === undefined) return;
    if (signal === constants.signals.SIGKILL) this.killGroup();
    else this.child.kill(signal);
  }

  attached(): void {
    this.roomFreed();
  }

  roomFreed(): void {
    for (const pump of this.pumps) pump.resume();
  }

  /** SIGKILLs the process if it still runs, drops its pipes, and resolves once it closed. */
  dispose(): Promise<void> {
    if (this.running) {
      if (this.child.pid !== undefined) this.killGroup();
      this.child.stdin?.destroy();
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
    }
    return this.closed;
  }

  /** SIGKILLs the process group the child leads (on Windows, which has none, the child alone). */
  private killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (process.platform === 'win32') {
      this.child.kill('SIGKILL');
      return;
    }
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: the whole group is gone already.
    }
  }
}
