/**
 * Scripted executions: a `POST /exec` whose `command` names a script runs its steps instead of
 * a process, deterministically and without touching the host.
 */

import { timer, type Subscription } from 'rxjs';
import { checkKeys, integer, milliseconds, oneOf } from '../../checkOptions.js';
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

/** Resolves a script source for one request; a malformed script is a `TypeError`/`RangeError` (`checkScript`). */
export function resolveScript(source: ScriptSource, request: ExecRequest): Script {
  const script = typeof source === 'function' ? source(request) : source;
  checkScript('startRunnerEmulator', 'script', script);
  return script;
}

/** Each step kind: its keys (the first names the kind), and a check of its value. */
const STEP_KINDS: Readonly<Record<string, { readonly keys: readonly string[]; readonly check: (owner: string, name: string, step: Record<string, unknown>) => void }>> = {
  stdout: { keys: ['stdout'], check: (owner, name, step) => output(owner, `${name}.stdout`, step, 'stdout') },
  stderr: { keys: ['stderr'], check: (owner, name, step) => output(owner, `${name}.stderr`, step, 'stderr') },
  waitMs: { keys: ['waitMs'], check: (owner, name, step) => void milliseconds(owner, `${name}.waitMs`, step['waitMs'] ?? -1, 0, { zero: true }) },
  exit: {
    keys: ['exit', 'errorMessage'],
    check: (owner, name, step) => {
      if (!Number.isInteger(step['exit'])) throw new RangeError(`${owner}: ${name}.exit must be an integer, got ${JSON.stringify(step['exit'])}`);
      const message = step['errorMessage'];
      if (message !== undefined && typeof message !== 'string') throw new TypeError(`${owner}: ${name}.errorMessage must be a string`);
    },
  },
  echoStdin: { keys: ['echoStdin'], check: (owner, name, step) => literalTrue(owner, `${name}.echoStdin`, step['echoStdin']) },
  waitForAttach: { keys: ['waitForAttach'], check: (owner, name, step) => literalTrue(owner, `${name}.waitForAttach`, step['waitForAttach']) },
  flood: {
    keys: ['flood'],
    check: (owner, name, step) => {
      const flood = step['flood'];
      checkKeys(owner, `${name}.flood`, flood, ['chunk', 'count', 'stream']);
      bytes(owner, `${name}.flood.chunk`, flood['chunk']);
      integer(owner, `${name}.flood.count`, flood['count'] ?? -1, 0, 0);
      oneOf(owner, `${name}.flood.stream`, flood['stream'], ['stdout', 'stderr'], 'stdout');
    },
  },
  lost: {
    keys: ['lost'],
    check: (owner, name, step) => {
      const lost = step['lost'];
      checkKeys(owner, `${name}.lost`, lost, ['stream', 'bytes']);
      if (lost['stream'] === undefined || lost['bytes'] === undefined) {
        throw new TypeError(`${owner}: ${name}.lost must name stream and bytes, got ${JSON.stringify(lost)}`);
      }
      oneOf(owner, `${name}.lost.stream`, lost['stream'], ['stdout', 'stderr'], 'stdout');
      integer(owner, `${name}.lost.bytes`, lost['bytes'], 0, 0);
    },
  },
};

/**
 * An output step's text, checked unless a getter makes it: a script may make a line's text when
 * the step runs (bench/ticker.ts stamps it with its write time), so the check must not read it.
 */
function output(owner: string, name: string, step: Record<string, unknown>, key: 'stdout' | 'stderr'): void {
  const descriptor = Object.getOwnPropertyDescriptor(step, key);
  if (descriptor !== undefined && 'value' in descriptor) bytes(owner, name, descriptor.value);
}

function bytes(owner: string, name: string, value: unknown): void {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw new TypeError(`${owner}: ${name} must be a string or a Uint8Array`);
}

function literalTrue(owner: string, name: string, value: unknown): void {
  if (value !== true) throw new TypeError(`${owner}: ${name} must be true, got ${JSON.stringify(value)}`);
}

/**
 * Checks a script as options are checked: `steps` an array, each step an object of one known
 * kind (its first key) with only that kind's keys and values of their types. A misspelled step
 * (`{ stdot: 'x' }`) would otherwise run as another one: it is a `TypeError` naming it.
 */
export function checkScript(owner: string, name: string, script: Script): void {
  checkKeys(owner, name, script, ['steps', 'attachFaults', 'tty']);
  const { steps } = script as { steps?: unknown };
  if (!Array.isArray(steps)) throw new TypeError(`${owner}: ${name}.steps must be an array of steps`);
  steps.forEach((step: unknown, index) => {
    const where = `${name}.steps[${index}]`;
    const [first] = typeof step === 'object' && step !== null ? Object.keys(step) : [];
    const kind = first === undefined ? undefined : Object.hasOwn(STEP_KINDS, first) ? STEP_KINDS[first] : undefined;
    if (kind === undefined) {
      throw new TypeError(`${owner}: ${where} must be a step (${Object.keys(STEP_KINDS).join(', ')}), got ${JSON.stringify(step)}`);
    }
    checkKeys(owner, where, step, kind.keys);
    kind.check(owner, where, step);
  });
}
