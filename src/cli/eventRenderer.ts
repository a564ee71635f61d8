import type { Observer } from 'rxjs';
import type { ExecEvent } from '../events.js';
import type { RunExit } from './runExit.js';
import { spawnFailure } from './exitStatus.js';
import { isWarning, noticeLine } from './warnings.js';

/** Where a run's events are rendered. */
export interface RenderTargets {
  /** The command's stdout bytes, untouched. */
  readonly stdout: { write(bytes: Uint8Array): void };
  /** The command's stderr bytes, untouched. */
  readonly stderr: { write(bytes: Uint8Array): void };
  /** Writes one diagnostic line on stderr (after the stderr bytes before it). */
  readonly say: (message: string) => void;
  /** `--verbose`: the execution id and every notice, not only warnings. */
  readonly verbose: boolean;
}

const isExitStatus = (code: number | undefined): code is number => code !== undefined && Number.isInteger(code) && code >= 0 && code <= 255;

/**
 * A run's events rendered for a terminal or a pipe: the command's bytes to stdout and stderr,
 * notices (see `noticeLine`), the execution id (`--verbose`) and a failed command's reason as
 * lines on stderr. Their end goes to the run's exit: the command's code and whether a warning was
 * printed, or a client failure (an error, or an end without a usable exit code).
 */
export class EventRenderer implements Observer<ExecEvent> {
  /** Whether a warning was printed (`--strict` turns it into 124). */
  private warned = false;
  /** The command's code, from its `exit` event. */
  private exitCode: number | undefined;

  constructor(
    private readonly to: RenderTargets,
    private readonly exit: Pick<RunExit, 'commandExited' | 'clientFailed' | 'cannotStart'>,
  ) {}

  next(event: ExecEvent): void {
    switch (event.type) {
      case 'stdout':
        this.to.stdout.write(event.data);
        return;
      case 'stderr':
        this.to.stderr.write(event.data);
        return;
      case 'notice': {
        this.warned ||= isWarning(event);
        const line = noticeLine(event, this.to.verbose);
        if (line !== undefined) this.to.say(line);
        return;
      }
      case 'started':
        if (this.to.verbose) this.to.say(`execution ${event.executionId}`);
        return;
      case 'exit':
        this.exitCode = event.exitCode;
        if (event.message !== undefined) this.to.say(event.message);
        return;
    }
  }

  error(error: unknown): void {
    const spawn = spawnFailure(error);
    if (spawn !== undefined) this.exit.cannotStart(spawn.status, spawn.line);
    else this.exit.clientFailed(error instanceof Error ? error.message : String(error));
  }

  complete(): void {
    if (isExitStatus(this.exitCode)) this.exit.commandExited(this.exitCode, this.warned);
    else this.exit.clientFailed(`the command ended without a usable exit code (${String(this.exitCode)})`);
  }
}
