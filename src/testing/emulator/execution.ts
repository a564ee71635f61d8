/**
 * One execution inside the emulator: its status, the two output backlogs, the live event feed
 * attach sessions subscribe to, the attach slot, and its timers (timeout, orphan reaping,
 * eviction). What actually produces output, a script or a child process, is a driver.
 */

import { Subject, Subscription, timer } from 'rxjs';
import type { ReplayShape } from '../../delivery/replayCursor.js';
import type { ExecRequest, ExecutionInfo, ExecutionStatus, OutputStream } from '../../protocol/types.js';
import type { OutputBacklog } from './backlog.js';
import { ChunkBacklog } from './chunkBacklog.js';
import type { EmulatorEvent, SignalSource } from './events.js';
import type { AttachFault } from './faults.js';
import { orphanSignals, type OrphanGrace } from './orphans.js';
import { OutputRing } from './ring.js';
import type { MutableStats } from './stats.js';

/** What a driver reports to its execution. */
export interface ExecutionSink {
  /** Output bytes (TTY executions report only `stdout`). */
  output(stream: OutputStream, data: Uint8Array): void;
  /** The program ended. Called once; later output is ignored. */
  exit(exitCode: number, errorMessage?: string): void;
  /** Live chunks the attached client's queue takes now without dropping; 0 while none is attached. */
  outputRoom(): number;
}

/** What produces an execution's output: a script or a child process. */
export interface ExecutionDriver {
  /** Begins producing output; called once the execution holds the driver. */
  start(): void;
  /** Stdin bytes from a client. */
  writeStdin(data: Uint8Array): void;
  /** The client closed stdin. */
  endStdin(): void;
  /** Delivers a signal (a whitelisted one, or 9 for a kill). */
  signal(signal: number): void;
  /** A client attach socket was established (after its replay was queued). */
  attached(): void;
  /** The attached client's queue has room again (see `ExecutionSink.outputRoom`). */
  roomFreed?(): void;
  /** Stops everything; resolves once nothing of the driver is left running. */
  dispose(): Promise<void>;
}

/** One event of the live feed. */
export type ExecutionEvent =
  | { readonly type: 'output'; readonly stream: OutputStream; readonly data: Uint8Array }
  | { readonly type: 'exit'; readonly exitCode: number };

/** Everything an execution needs from the emulator. */
export interface ExecutionInit {
  readonly id: string;
  readonly boxId: string;
  readonly request: ExecRequest;
  readonly ringBytes: number;
  /** The server's replay shape: it decides how output is stored and replayed. */
  readonly replayShape: ReplayShape;
  readonly retentionMs: number;
  readonly orphanGrace: OrphanGrace;
  readonly stats: MutableStats;
  /** Faults consumed by the first attach attempts (from `Script.attachFaults`). */
  readonly attachFaults: readonly (AttachFault | undefined)[];
  readonly emit: (event: EmulatorEvent) => void;
  /** A box's main session: the orphan reaper never signals it. */
  readonly mainSession?: boolean;
  /** Called when the retention time elapsed. */
  readonly onRetentionElapsed: (execution: Execution) => void;
}

/** A read-only live view of an execution, for assertions. */
export interface ExecutionView {
  readonly executionId: string;
  readonly boxId: string;
  readonly command: string;
  readonly tty: boolean;
  readonly status: ExecutionStatus;
  /** Set once terminal. */
  readonly exitCode: number | undefined;
  readonly errorMessage: string | undefined;
  /** Output bytes produced so far (including bytes the backlog has since dropped). */
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  /** Bytes currently held by each stream's store (ring or chunk backlog). */
  readonly stdoutRingBytes: number;
  readonly stderrRingBytes: number;
  /** Stdin bytes received, and whether `stdin_eof` arrived. */
  readonly stdinBytes: number;
  readonly stdinClosed: boolean;
  /** Signals delivered, in order (orphan reaping, timeouts and DELETE included). */
  readonly signals: readonly number[];
  /** Last TTY size set by `resize`. */
  readonly size: { readonly cols: number; readonly rows: number } | undefined;
  /** Attach attempts so far (refused ones included). */
  readonly attachAttempts: number;
  /** Whether the attach slot is held. */
  readonly attached: boolean;
  /** Whether the execution was evicted. */
  readonly evicted: boolean;
}

/** The exit code of a process terminated by a signal, shell style. */
export function signalExitCode(signal: number): number {
  return 128 + signal;
}

/** The store of one stream, by replay shape: a byte ring (the Go runner), whole chunks (`boxlite serve`). */
const BACKLOGS: Readonly<Record<ReplayShape, new (capacity: number) => OutputBacklog>> = { ring: OutputRing, chunks: ChunkBacklog };

/** See the file comment. */
export class Execution implements ExecutionSink {
  readonly id: string;
  readonly boxId: string;
  readonly request: ExecRequest;
  readonly tty: boolean;
  readonly stdout: OutputBacklog;
  readonly stderr: OutputBacklog;
  /** Live feed: output then one exit, then complete. Subscribe after snapshotting the backlogs. */
  readonly events$ = new Subject<ExecutionEvent>();

  status: ExecutionStatus = 'running';
  exitCode: number | undefined;
  errorMessage: string | undefined;
  stdoutBytes = 0;
  stderrBytes = 0;
  stdinBytes = 0;
  stdinClosed = false;
  readonly signals: number[] = [];
  size: { cols: number; rows: number } | undefined;
  attachAttempts = 0;
  evicted = false;
  /** Whether an attach socket is established right now (a held slot without a socket is not). */
  socketAttached = false;

  private readonly init: ExecutionInit;
  private driver: ExecutionDriver | undefined;
  private faultQueue: (AttachFault | undefined)[];
  private terminalReason: 'killed' | 'timed_out' | undefined;
  private slot: object | undefined;
  /** The attached socket's free queue room, while one is attached. */
  private queueRoom: (() => number) | undefined;
  /** Timers that live until dispose (slot holds). */
  private readonly timers = new Subscription();
  private timeoutTimer: Subscription | undefined;
  private evictionTimer: Subscription | undefined;
  private orphanClock: Subscription | undefined;
  private disposed: Promise<void> | undefined;

  constructor(init: ExecutionInit) {
    this.init = init;
    this.id = init.id;
    this.boxId = init.boxId;
    this.request = init.request;
    this.tty = init.request.tty === true;
    this.stdout = new BACKLOGS[init.replayShape](init.ringBytes);
    this.stderr = new BACKLOGS[init.replayShape](init.ringBytes);
    this.faultQueue = [...init.attachFaults];
  }

  /** Starts the driver, the timeout and the orphan clock. */
  start(createDriver: (sink: ExecutionSink) => ExecutionDriver): void {
    this.init.stats.running += 1;
    const timeout = this.request.timeout_seconds;
    if (timeout !== undefined) {
      this.timeoutTimer = timer(timeout * 1000).subscribe(() => this.kill('timed_out', 'timeout'));
    }
    this.startOrphanClock();
    this.driver = createDriver(this);
    this.driver.start();
  }

  get isTerminal(): boolean {
    return this.status !== 'running';
  }

  /** Whether the attach slot is held (by a socket, or after a cut with `holdSlotMs`). */
  get slotTaken(): boolean {
    return this.slot !== undefined;
  }

  // ----- ExecutionSink -----

  output(stream: OutputStream, data: Uint8Array): void {
    if (this.isTerminal || data.length === 0) return;
    if (stream === 'stdout') {
      this.stdoutBytes += data.length;
      this.stdout.push(data);
    } else {
      this.stderrBytes += data.length;
      this.stderr.push(data);
    }
    this.events$.next({ type: 'output', stream, data });
  }

  exit(exitCode: number, errorMessage?: string): void {
    if (this.isTerminal) return;
    this.status = this.terminalReason ?? 'completed';
    this.exitCode = exitCode;
    if (errorMessage !== undefined) this.errorMessage = errorMessage;
    this.init.stats.running -= 1;
    this.timeoutTimer?.unsubscribe();
    this.stopOrphanClock();
    this.init.emit({ type: 'exit', executionId: this.id, exitCode, status: this.status });
    this.events$.next({ type: 'exit', exitCode });
    this.events$.complete();
    if (!this.evicted && this.disposed === undefined) {
      this.evictionTimer = timer(this.init.retentionMs).subscribe(() => this.init.onRetentionElapsed(this));
    }
  }

  // ----- control -----

  /** Delivers a signal; returns false when the execution is not running. */
  signal(signal: number, source: SignalSource): boolean {
    if (this.isTerminal) return false;
    this.signals.push(signal);
    this.init.emit({ type: 'signal', executionId: this.id, signal, source });
    this.driver?.signal(signal);
    return true;
  }

  /** SIGKILL, remembering why for the terminal status. */
  kill(reason: 'killed' | 'timed_out', source: SignalSource): void {
    if (this.isTerminal) return;
    this.terminalReason ??= reason;
    this.signal(9, source);
  }

  writeStdin(data: Uint8Array): void {
    if (this.isTerminal || this.stdinClosed) return;
    this.stdinBytes += data.length;
    this.init.stats.stdinBytes += data.length;
    this.driver?.writeStdin(data);
  }

  endStdin(): void {
    if (this.stdinClosed) return;
    this.stdinClosed = true;
    this.init.emit({ type: 'stdin-eof', executionId: this.id });
    if (!this.isTerminal) this.driver?.endStdin();
  }

  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
  }

  // ----- attach slot -----

  /** The fault for the next attach attempt from this execution's own queue, if it has one. */
  takeQueuedFault(): { readonly fault: AttachFault | undefined } | undefined {
    if (this.faultQueue.length === 0) return undefined;
    return { fault: this.faultQueue.shift() };
  }

  /** Replaces the per-execution fault queue. */
  setAttachFaults(faults: readonly (AttachFault | undefined)[]): void {
    this.faultQueue = [...faults];
  }

  /** Takes the slot for `holder`; false if it is taken. Stops the orphan clock. */
  reserveSlot(holder: object): boolean {
    if (this.slot !== undefined) return false;
    this.slot = holder;
    this.stopOrphanClock();
    return true;
  }

  /** A socket attached for good, with its free queue room: lets a waiting script go on. */
  sessionStarted(queueRoom: () => number): void {
    this.socketAttached = true;
    this.queueRoom = queueRoom;
    if (!this.isTerminal) this.driver?.attached();
  }

  /** The attach socket is gone (the slot may still be held). */
  sessionEnded(): void {
    this.socketAttached = false;
    this.queueRoom = undefined;
  }

  outputRoom(): number {
    return this.queueRoom?.() ?? 0;
  }

  /** The attached socket's queue has room again: lets a flood write. */
  roomFreed(): void {
    if (!this.isTerminal) this.driver?.roomFreed?.();
  }

  /** Frees the slot held by `holder`, now or after `holdMs`. Restarts the orphan clock. */
  releaseSlot(holder: object, holdMs: number): void {
    if (this.slot !== holder) return;
    const free = (): void => {
      if (this.slot !== holder) return;
      this.slot = undefined;
      this.init.emit({ type: 'slot-released', executionId: this.id });
      this.startOrphanClock();
    };
    if (holdMs > 0 && this.disposed === undefined) this.timers.add(timer(holdMs).subscribe(free));
    else free();
  }

  // ----- lifecycle -----

  /** Marks the execution evicted and stops its timers (a running driver is left to finish). */
  markEvicted(): void {
    this.evicted = true;
    this.evictionTimer?.unsubscribe();
    this.stopOrphanClock();
  }

  /** Stops every timer and the driver. Idempotent. */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      this.timers.unsubscribe();
      this.timeoutTimer?.unsubscribe();
      this.evictionTimer?.unsubscribe();
      this.stopOrphanClock();
      await this.driver?.dispose();
      if (!this.events$.closed) this.events$.complete();
    })();
    return this.disposed;
  }

  /** Body of `GET /executions/{id}`. `exit_code` only once terminal; extra fields as real servers add. */
  info(): ExecutionInfo & { readonly command: string; readonly attached: boolean } {
    return {
      execution_id: this.id,
      status: this.status,
      ...(this.exitCode !== undefined ? { exit_code: this.exitCode } : {}),
      ...(this.errorMessage !== undefined ? { error_message: this.errorMessage } : {}),
      command: this.request.command,
      attached: this.slot !== undefined,
    };
  }

  /**
   * An entry of `GET /boxes/{boxId}/executions` (the newer runner): {@link info} with `command` the
   * command line, the command and its args joined with spaces.
   */
  listed(): ExecutionInfo & { readonly command: string; readonly attached: boolean } {
    return { ...this.info(), command: [this.request.command, ...(this.request.args ?? [])].join(' ') };
  }

  /** A live read-only view for tests. */
  view(): ExecutionView {
    const self = this;
    return {
      executionId: self.id,
      boxId: self.boxId,
      command: self.request.command,
      tty: self.tty,
      get status() { return self.status; },
      get exitCode() { return self.exitCode; },
      get errorMessage() { return self.errorMessage; },
      get stdoutBytes() { return self.stdoutBytes; },
      get stderrBytes() { return self.stderrBytes; },
      get stdoutRingBytes() { return self.stdout.byteLength; },
      get stderrRingBytes() { return self.stderr.byteLength; },
      get stdinBytes() { return self.stdinBytes; },
      get stdinClosed() { return self.stdinClosed; },
      get signals() { return [...self.signals]; },
      get size() { return self.size; },
      get attachAttempts() { return self.attachAttempts; },
      get attached() { return self.slot !== undefined; },
      get evicted() { return self.evicted; },
    };
  }

  private startOrphanClock(): void {
    if (this.isTerminal || this.evicted || this.slot !== undefined || this.disposed !== undefined || this.init.mainSession === true) return;
    this.stopOrphanClock();
    this.orphanClock = orphanSignals(this.init.orphanGrace).subscribe((signal) => {
      this.signal(signal, 'orphan');
    });
  }

  private stopOrphanClock(): void {
    this.orphanClock?.unsubscribe();
    this.orphanClock = undefined;
  }
}
