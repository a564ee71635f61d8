/**
 * How a run of `exec` or `attach` leaves. Invariant: the first way out wins; it stops the run at
 * once, and the status resolves once, after the output it waits for is written; every later way
 * out is a no-op.
 *
 * | way out                  | status                                                   | waits for stdout |
 * | ------------------------ | -------------------------------------------------------- | ---------------- |
 * | `commandExited`          | the command's code; 124 under `--strict` after a warning | yes              |
 * | `clientFailed`           | 125, after its line                                      | yes              |
 * | `cannotStart`            | 127 (not found) or 126, after its line (`spawnFailure`)  | yes              |
 * | `signalledTwice`         | 128 + N, after its line                                  | no               |
 * | `leftOnSignal`           | 128 + N, after its line (an observer forwards no signal) | no               |
 * | `outputFailed('stdout')` | 141 when its reader went away, else 125 after a line     | no               |
 * | `outputFailed('stderr')` | 141 when its reader went away, else 125 (line direct)    | no               |
 *
 * A stream that fails while the last output is written (the exit often comes in the same burst as
 * the output before it) lost bytes: its status (`writeFailureStatus`) replaces the one above.
 */

import { BROKEN_PIPE, CLIENT_FAILURE, STRICT_WARNING, readerGone, signalled, writeFailureStatus } from './exitStatus.js';
import type { OutputQueue } from './outputQueue.js';
import type { ReceivedSignal } from './signals.js';

/** What the exit needs of an output queue: its failure, a wait until it is written, and its end. */
export type ExitOutput = Pick<OutputQueue, 'failure' | 'flushed' | 'close'>;

/** The standard streams' names, as the lines about them say them. */
type StreamName = 'stdout' | 'stderr';

/** What a run's exit works with. */
export interface RunExitOptions {
  /** The command's stdout, written through a queue. */
  readonly stdout: ExitOutput;
  /** The command's stderr, and the CLI's own lines, written through a queue. */
  readonly stderr: ExitOutput;
  /** Stderr's descriptor, for a line about a failed stream that cannot go through its queue. */
  readonly stderrFd: number;
  /** `--strict`: a printed warning replaces the command's exit code with 124. */
  readonly strict: boolean;
  /** Writes one diagnostic line (through the stderr queue). */
  readonly say: (message: string) => void;
  /** Stops the run: the socket, the signal handlers, the terminal's raw mode. Called once, first. */
  readonly stop: () => void;
}

/** A run's one way out (see the table at the top of this file). */
export class RunExit {
  private left = false;
  private resolve!: (status: number) => void;

  /** The run's exit status, resolved once, after the output the first way out waits for. */
  readonly status: Promise<number> = new Promise((resolve) => {
    this.resolve = resolve;
  });

  constructor(private readonly options: RunExitOptions) {}

  /** The command exited with `code` (a valid status), after a warning was printed or not. */
  commandExited(code: number, warned: boolean): void {
    this.leave(true, () => {
      if (!this.options.strict || !warned) return code;
      this.options.say(`--strict: a warning was printed, so exiting ${STRICT_WARNING} instead of the command's ${code}`);
      return STRICT_WARNING;
    });
  }

  /** The client failed (`message` says how): 125 once the output is written. */
  clientFailed(message: string): void {
    this.leave(true, () => {
      this.options.say(message);
      return CLIENT_FAILURE;
    });
  }

  /** The box could not start the command (`spawnFailure`): `status` after `line`, as `docker exec`. */
  cannotStart(status: number, line: string): void {
    this.leave(true, () => {
      this.options.say(line);
      return status;
    });
  }

  /** The same signal came twice: 128 + N at once, the command left running. */
  signalledTwice(signal: ReceivedSignal): void {
    this.leftOnSignal(signal, `${signal.name} twice: leaving (the command may still run)`);
  }

  /** A signal the run does not forward: 128 + N at once after `line`, the command left running. */
  leftOnSignal(signal: ReceivedSignal, line: string): void {
    this.leave(false, () => {
      this.options.say(line);
      return signalled(signal.number);
    });
  }

  /**
   * A write to `name` failed: the bytes are lost, so leave at once. A failed stdout's line goes
   * through the stderr queue, after the stderr bytes before it; a failed stderr's line is written
   * directly (see `writeFailureStatus`).
   */
  outputFailed(name: StreamName, error: NodeJS.ErrnoException): void {
    this.leave(false, () => {
      if (name === 'stderr') return writeFailureStatus(name, error, this.options.stderrFd);
      if (readerGone(error)) return BROKEN_PIPE;
      this.options.say(`${name}: ${error.message}`);
      return CLIENT_FAILURE;
    });
  }

  /**
   * The first way out: `status` decides the status (and says its line), the run stops, and the
   * status resolves once the output is written (stdout's only when `waitForStdout`), replaced by a
   * stream's that failed meanwhile.
   */
  private leave(waitForStdout: boolean, status: () => number): void {
    if (this.left) return;
    this.left = true;
    const decided = status();
    const { stdout, stderr, stderrFd, stop } = this.options;
    stop();
    const failedBefore = { stdout: stdout.failure, stderr: stderr.failure };
    const failedSince = (queue: ExitOutput, name: StreamName): number | undefined => {
      const error = queue.failure;
      return error === undefined || error === failedBefore[name] ? undefined : writeFailureStatus(name, error, stderrFd);
    };
    void Promise.all([waitForStdout ? stdout.flushed() : undefined, stderr.flushed()]).then(() => {
      const late = [waitForStdout ? failedSince(stdout, 'stdout') : undefined, failedSince(stderr, 'stderr')];
      stdout.close();
      stderr.close();
      this.resolve(late.find((code) => code !== undefined) ?? decided);
    });
  }
}
