/**
 * Scripted executions: a `POST /exec` whose `command` names a script runs its steps instead of
 * a process, deterministically and without touching the host.
 */

import { timer, type Subscription } from 'rxjs';
import { checkKeys, integer, oneOf } from '../../checkOptions.js';
import { encodeLossMarker } from '../../protocol/lossMarker.js';
import type { ExecRequest, OutputStream } from '../../protocol/types.js';
import { signalExitCode, type ExecutionDriver, type ExecutionSink } from './execution.js';
import type { AttachFault } from './faults.js';
import { Flood, type FloodSpec } from './flood.js';

/**
 * One step of a script.
 *
 * - `{ stdout }` / `{ stderr }`: produce output (strings are UTF-8 encoded; a TTY script sends
 *   stderr on the stdout channel). Consecutive output steps run in one burst, as a fast
 *   process would write: put a `waitMs` between them to pace them.
 * - `{ waitMs }`: wait.
 * - `{ exit, errorMessage? }`: end with this exit code (a script without one exits 0 after its
 *   last step); `errorMessage` is the status endpoint's `error_message` (a runner sets it when
 *   waiting for the process failed).
 * - `{ echoStdin: true }`: copy stdin bytes to stdout until the client sends `stdin_eof`
 *   (stdin received before this step is buffered and echoed first).
 * - `{ waitForAttach: true }`: wait until a client socket is attached (go on at once if one is).
 * - `{ flood: { chunk, count } }`: write `count` copies of `chunk`, each as fast as the attached
 *   client's queue takes it and never more, so nothing is dropped (see `FloodSpec`); for benchmarks.
 * - `{ lost: { stream, bytes } }`: the guest's output buffer overran and dropped `bytes` bytes of
 *   `stream`: the host's marker, `[boxlite] <stream> output dropped <bytes> bytes\r\n`, is written
 *   into that stream as its own chunk (a TTY script: on the stdout channel, naming `stream`).
 */
export type ScriptStep =
  | { readonly stdout: string | Uint8Array }
  | { readonly stderr: string | Uint8Array }
  | { readonly waitMs: number }
  | { readonly exit: number; readonly errorMessage?: string }
  | { readonly echoStdin: true }
  | { readonly waitForAttach: true }
  | { readonly flood: FloodSpec }
  | { readonly lost: { readonly stream: OutputStream; readonly bytes: number } };

/** A scripted execution. */
export interface Script {
  /** The steps, run in order. */
  readonly steps: readonly ScriptStep[];
  /** Faults for the first attach attempts of each execution of this script, in order. */
  readonly attachFaults?: readonly (AttachFault | undefined)[];
  /** Run as a TTY execution (the request's `tty` also turns it on). */
  readonly tty?: boolean;
}

/** A script, or a function of the request returning one (called once per `POST /exec`). */
export type ScriptSource = Script | ((request: ExecRequest) => Script);

const encoder = new TextEncoder();

/** Encodes once; a caller's `Uint8Array` is copied so later changes to it do not leak in. */
function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data.slice();
}

/**
 * Runs a script's steps against an execution sink.
 *
 * Signals end a script like a default signal disposition ends a process: exit code 128+N, except
 * 28 (WINCH), which is ignored.
 */
export class ScriptDriver implements ExecutionDriver {
  private index = 0;
  private done = false;
  private waiting: 'time' | 'stdin' | 'attach' | 'room' | undefined;
  private wait: Subscription | undefined;
  private flood: { readonly flood: Flood; readonly stream: OutputStream } | undefined;
  private readonly pendingStdin: Uint8Array[] = [];
  private stdinEnded = false;

  /**
   * @param script the script to run.
   * @param sink where output and exit go.
   * @param tty whether stderr goes to the stdout channel.
   * @param isAttached whether a client socket is attached now.
   */
  constructor(
    private readonly script: Script,
    private readonly sink: ExecutionSink,
    private readonly tty: boolean,
    private readonly isAttached: () => boolean,
  ) {}

  /** Runs the steps up to the first wait. */
  start(): void {
    this.advance();
  }

  writeStdin(data: Uint8Array): void {
    if (this.done) return;
    if (this.waiting === 'stdin') this.sink.output('stdout', data.slice());
    else this.pendingStdin.push(data.slice());
  }

  endStdin(): void {
    this.stdinEnded = true;
    if (this.waiting === 'stdin') this.resume();
  }

  signal(signal: number): void {
    if (signal === 28) return;
    this.finish(signalExitCode(signal));
  }

  attached(): void {
    if (this.waiting === 'attach') this.resume();
    else this.roomFreed();
  }

  roomFreed(): void {
    if (this.waiting === 'room' && this.pour()) this.resume();
  }

  dispose(): Promise<void> {
    this.done = true;
    this.wait?.unsubscribe();
    this.wait = undefined;
    this.flood = undefined;
    return Promise.resolve();
  }

  private resume(): void {
    this.waiting = undefined;
    this.advance();
  }

  private finish(exitCode: number, errorMessage?: string): void {
    if (this.done) return;
    this.done = true;
    this.waiting = undefined;
    this.wait?.unsubscribe();
    this.wait = undefined;
    this.flood = undefined;
    this.sink.exit(exitCode, errorMessage);
  }

  private advance(): void {
    while (!this.done && this.waiting === undefined) {
      const step = this.script.steps[this.index];
      this.index += 1;
      if (step === undefined) {
        this.finish(0);
      } else if ('stdout' in step) {
        this.sink.output('stdout', toBytes(step.stdout));
      } else if ('stderr' in step) {
        this.sink.output(this.tty ? 'stdout' : 'stderr', toBytes(step.stderr));
      } else if ('exit' in step) {
        this.finish(step.exit, step.errorMessage);
      } else if ('waitMs' in step) {
        this.waiting = 'time';
        this.wait = timer(step.waitMs).subscribe(() => {
          this.wait = undefined;
          this.resume();
        });
      } else if ('lost' in step) {
        const { stream, bytes } = step.lost;
        this.sink.output(this.tty ? 'stdout' : stream, encodeLossMarker(stream, bytes));
      } else if ('flood' in step) {
        const stream = step.flood.stream === 'stderr' && !this.tty ? 'stderr' : 'stdout';
        this.flood = { flood: new Flood(step.flood), stream };
        if (!this.pour()) this.waiting = 'room';
      } else if ('echoStdin' in step) {
        for (const chunk of this.pendingStdin.splice(0)) this.sink.output('stdout', chunk);
        if (!this.stdinEnded) this.waiting = 'stdin';
      } else if (!this.isAttached()) {
        this.waiting = 'attach';
      }
    }
  }

  /** Pours the running flood into the room there is; true (and the flood dropped) once it is done. */
  private pour(): boolean {
    const current = this.flood;
    if (current === undefined) return true;
    const { sink } = this;
    if (!current.flood.pour(sink.outputRoom(), (data) => sink.output(current.stream, data))) return false;
    this.flood = undefined;
    return true;
  }
}

/** Resolves a script source for one request; a malformed `lost` step is a `TypeError`/`RangeError`. */
export function resolveScript(source: ScriptSource, request: ExecRequest): Script {
  const script = typeof source === 'function' ? source(request) : source;
  checkScript('startRunnerEmulator', 'script', script);
  return script;
}

/** Checks a script's `lost` steps as options are checked: known keys, a stream, a byte count. */
export function checkScript(owner: string, name: string, script: Script): void {
  for (const step of script.steps ?? []) {
    if (typeof step !== 'object' || step === null || !('lost' in step)) continue;
    checkKeys(owner, `${name} step lost`, step.lost, ['stream', 'bytes']);
    oneOf(owner, `${name} step lost.stream`, step.lost.stream, ['stdout', 'stderr'], 'stdout');
    if (step.lost.stream === undefined || step.lost.bytes === undefined) {
      throw new TypeError(`${owner}: ${name} step lost must name stream and bytes, got ${JSON.stringify(step.lost)}`);
    }
    integer(owner, `${name} step lost.bytes`, step.lost.bytes, 0, 0);
  }
}
