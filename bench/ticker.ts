/**
 * The `ticker` command of figures 7 and 8: a running command that prints one 100-byte line every
 * `intervalMs` (50 ms), each line carrying its sequence number and the time the emulator wrote it,
 * and whose first `cuts` accepted attaches are each cut in the middle of a line, `linesPerAttach`
 * live lines after the attach's replay.
 *
 * Shared by both processes: the line format and the request (both), the script and the cut
 * planner with its timeline (the emulator process, `emulatorProcess.ts`).
 *
 * One clock for both processes: `clockNow()`, `performance.timeOrigin + performance.now()` (the
 * wall clock at process start plus the monotonic clock since), in milliseconds with microsecond
 * resolution. `EmulatorHost.clockOffset()` measures how far the two processes' readings differ.
 */

import { randomUUID } from 'node:crypto';
import type { ExecRequest } from '../dist/index.js';
import type { AttachFault, AttachFaultContext, EmulatorEvent, ExecutionIdInfo, RunnerEmulator, Script, ScriptStep } from '../dist/testing.js';

/** The command name the emulator runs the ticker script for. */
export const TICKER = 'ticker';

/** Every ticker line is exactly this long, its newline included. */
export const LINE_BYTES = 100;

/** Where a cut falls inside the line it splits: the first half reaches the client before the cut. */
export const CUT_OFFSET_IN_LINE = LINE_BYTES / 2;

/** The clock both processes use (ms). */
export function clockNow(): number {
  return performance.timeOrigin + performance.now();
}

/** What one ticker execution does. */
export interface TickerPlan {
  /** Lines at most (the client normally stops the command earlier with SIGTERM). */
  readonly count: number;
  /** Milliseconds between two lines. */
  readonly intervalMs: number;
  /** How many accepted attaches are cut, the first ones. */
  readonly cuts: number;
  /** Live lines each cut attach delivers whole before the cut splits the next one. */
  readonly linesPerAttach: number;
}

/** The request of a ticker execution. */
export function tickerRequest(plan: TickerPlan): ExecRequest {
  return { command: TICKER, args: [plan.count, plan.intervalMs, plan.cuts, plan.linesPerAttach].map(String) };
}

/** The plan of a ticker request, or undefined for any other command. */
export function tickerPlan(request: ExecRequest): TickerPlan | undefined {
  if (request.command !== TICKER) return undefined;
  const [count = 0, intervalMs = 50, cuts = 0, linesPerAttach = 1] = (request.args ?? []).map(Number);
  return { count, intervalMs, cuts, linesPerAttach };
}

/** Line `seq`, written at `writtenAt` (emulator clock): `tick 0000042 1754000000123.456 xxx…x\n`, 100 bytes. */
export function tickerLine(seq: number, writtenAt: number): string {
  return `tick ${String(seq).padStart(7, '0')} ${writtenAt.toFixed(3)} `.padEnd(LINE_BYTES - 1, 'x') + '\n';
}

const LINE = /^tick (\d{7}) (\d+\.\d{3}) x+\n$/;

/** The sequence number and write time of a received line, or undefined if it is not a whole ticker line. */
export function parseTickerLine(line: string): { seq: number; writtenAt: number } | undefined {
  const match = line.length === LINE_BYTES ? LINE.exec(line) : null;
  return match === null ? undefined : { seq: Number(match[1]), writtenAt: Number(match[2]) };
}

/**
 * The ticker script: wait for the first attach, then `count` lines `intervalMs` apart. A line's
 * text is made when the script writes it (a getter read once, by the step that writes it), so it
 * carries its own write time.
 */
export function tickerScript(request: ExecRequest): Script {
  const plan = tickerPlan(request) ?? { count: 0, intervalMs: 50, cuts: 0, linesPerAttach: 1 };
  let seq = 0;
  const line: ScriptStep = {
    get stdout(): string {
      const text = tickerLine(seq, clockNow());
      seq += 1;
      return text;
    },
  };
  const steps: ScriptStep[] = [{ waitForAttach: true }];
  for (let i = 0; i < plan.count; i += 1) {
    if (i > 0) steps.push({ waitMs: plan.intervalMs });
    steps.push(line);
  }
  return { steps };
}

/** An attach attempt, as the emulator answered it. */
export interface TickerAttach {
  readonly attempt: number;
  readonly status: number;
  /** Emulator clock. */
  readonly at: number;
  /** Lines written when it was answered. */
  readonly linesWritten: number;
}

/** A cut the emulator applied: the attach it was planned on and the line it splits. */
export interface TickerCut {
  readonly attempt: number;
  /** The line the cut splits: its first half is sent, then the socket is cut. */
  readonly splitLine: number;
  /** Output bytes (replay included) the attach sends before the cut. */
  readonly outputBytes: number;
}

/** What the emulator knows about one ticker execution (plain data, sent over IPC). */
export interface TickerState {
  readonly linesWritten: number;
  readonly attaches: readonly TickerAttach[];
  readonly cuts: readonly TickerCut[];
  /** Sockets gone (emulator clock), with the close code `ws` reported (1006: no Close frame). */
  readonly detaches: readonly { readonly at: number; readonly code: number }[];
  readonly exitCode: number | undefined;
}

interface Tracked {
  readonly plan: TickerPlan;
  readonly attaches: TickerAttach[];
  readonly cuts: TickerCut[];
  readonly detaches: { at: number; code: number }[];
  /** The fault handed out for an attempt that has not been answered yet. */
  pending: TickerCut | undefined;
  exitCode: number | undefined;
}

/**
 * The emulator side of the ticker: ids, cut faults and the timeline of every ticker execution.
 * Wire it in with `generateExecutionId`, `faults` and a subscription to `emulator.events`.
 */
export class TickerPlanner {
  private readonly tracked = new Map<string, Tracked>();
  private emulator: RunnerEmulator | undefined;

  /** The emulator whose executions are planned (set once it started). */
  attach(emulator: RunnerEmulator): void {
    this.emulator = emulator;
    emulator.events.subscribe((event) => this.onEvent(event));
  }

  /** `generateExecutionId`: the default id shape; a ticker execution is tracked from here. */
  readonly generateExecutionId = (info: ExecutionIdInfo): string => {
    const id = `exec-${randomUUID()}`;
    const plan = tickerPlan(info.request);
    if (plan !== undefined) this.tracked.set(id, { plan, attaches: [], cuts: [], detaches: [], pending: undefined, exitCode: undefined });
    return id;
  };

  /**
   * `faults`: while fewer than `cuts` attaches were cut, cut this one after its replay (the whole
   * ring) plus `linesPerAttach` live lines plus half a line. The line count is read when the
   * attempt is answered: the 101, the fault and the replay snapshot happen in one tick, with no
   * line written in between.
   */
  readonly faults = (context: AttachFaultContext): AttachFault | undefined => {
    const tracked = this.tracked.get(context.executionId);
    const view = this.emulator?.execution(context.executionId);
    if (tracked === undefined || view === undefined || tracked.cuts.length >= tracked.plan.cuts) return undefined;
    const { linesPerAttach } = tracked.plan;
    const outputBytes = view.stdoutRingBytes + linesPerAttach * LINE_BYTES + CUT_OFFSET_IN_LINE;
    tracked.pending = { attempt: context.attempt, splitLine: Math.floor(view.stdoutBytes / LINE_BYTES) + linesPerAttach, outputBytes };
    return { cut: { after: { outputBytes } } };
  };

  /** The state of a ticker execution, or undefined for an unknown one. */
  state(executionId: string): TickerState | undefined {
    const tracked = this.tracked.get(executionId);
    if (tracked === undefined) return undefined;
    return {
      linesWritten: this.linesWritten(executionId),
      attaches: [...tracked.attaches],
      cuts: [...tracked.cuts],
      detaches: [...tracked.detaches],
      exitCode: tracked.exitCode,
    };
  }

  /** Forgets an execution. */
  forget(executionId: string): void {
    this.tracked.delete(executionId);
  }

  private linesWritten(executionId: string): number {
    return Math.floor((this.emulator?.execution(executionId)?.stdoutBytes ?? 0) / LINE_BYTES);
  }

  private onEvent(event: EmulatorEvent): void {
    const tracked = 'executionId' in event ? this.tracked.get(event.executionId) : undefined;
    if (tracked === undefined) return;
    const at = clockNow();
    if (event.type === 'attach') {
      tracked.attaches.push({ attempt: event.attempt, status: event.status, at, linesWritten: this.linesWritten(event.executionId) });
      // A fault handed to an attempt that was refused (a 409) was never applied.
      const { pending } = tracked;
      if (pending?.attempt !== event.attempt) return;
      if (event.status === 101) tracked.cuts.push(pending);
      tracked.pending = undefined;
    } else if (event.type === 'detach') {
      tracked.detaches.push({ at, code: event.code });
    } else if (event.type === 'exit') {
      tracked.exitCode = event.exitCode;
    }
  }
}
