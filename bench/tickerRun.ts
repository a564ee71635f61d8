/**
 * The client side of figures 7 and 8: one ticker execution (`ticker.ts`) through boxlite-rx
 * `createRunnerClient().exec()`, each line's arrival at the subscriber timed, until a stop
 * condition on the emulator's timeline or a wall-time cap; then SIGTERM (the script exits 143
 * through the server's exit frame) and a bounded wait for the exit event. Everything it starts is
 * stopped: the subscription is ended and, if the exit never came, the execution killed.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom } from 'rxjs';
import type { RunnerClient } from '../dist/index.js';
import { BOX } from './clients.js';
import type { EmulatorHost } from './emulatorHost.js';
import { clockNow, parseTickerLine, tickerRequest, type TickerPlan, type TickerState } from './ticker.js';

/** One line as the subscriber got it: write time on the emulator's clock, arrival on this one. */
export interface Arrival {
  readonly seq: number;
  /** Emulator clock (comparable with the emulator's timeline). */
  readonly writtenAt: number;
  /** This process's clock. */
  readonly arrivedAt: number;
  /** `arrivedAt` minus the write time on this process's clock (`writtenAt - clockOffsetMs`), ms. */
  readonly latencyMs: number;
}

/** What one ticker run measured. */
export interface TickerRun {
  readonly executionId: string | undefined;
  /** Lines in the order they arrived, each sequence number once (the first time). */
  readonly arrivals: readonly Arrival[];
  /** Lines never delivered although later ones were, plus, once the exit arrived, written lines that never came. */
  readonly lost: number;
  /** Lines delivered again after they (or a later line) had been delivered. */
  readonly repeated: number;
  /** Newline-terminated pieces that are not one whole ticker line, and a partial line left at the end. */
  readonly malformed: number;
  /** Written lines not delivered when the run ended without an exit event (the cap). */
  readonly undelivered: number;
  readonly exit: { readonly exitCode: number; readonly source: string } | undefined;
  readonly error: string | undefined;
  /** Notice events, as `kind: message`. */
  readonly notices: readonly string[];
  /** The emulator's timeline of the execution, read after the end. */
  readonly state: TickerState | undefined;
  /** Whether the wall-time cap stopped the run. */
  readonly capped: boolean;
  /** Client clock: subscribe, SIGTERM sent, end. */
  readonly startedAt: number;
  readonly stoppedAt: number;
  readonly endedAt: number;
}

/** How to run one ticker execution. */
export interface TickerRunOptions {
  readonly host: EmulatorHost;
  readonly client: RunnerClient;
  readonly plan: TickerPlan;
  /** Send SIGTERM once this says so (the emulator's timeline, polled every `pollMs`). */
  readonly shouldStop: (state: TickerState) => boolean;
  /** Send SIGTERM at the latest this long after subscribing. */
  readonly capMs: number;
  /** After SIGTERM, wait at most this long for the exit event. */
  readonly exitWaitMs: number;
  /** The emulator's clock minus this one's (`EmulatorHost.clockOffset`), taken out of every latency. */
  readonly clockOffsetMs: number;
  readonly pollMs?: number;
}

/** Runs one ticker execution; see the file comment. */
export async function runTicker(options: TickerRunOptions): Promise<TickerRun> {
  const { host, client, plan, capMs, exitWaitMs, clockOffsetMs, pollMs = 100 } = options;
  const arrivals: Arrival[] = [];
  const notices: string[] = [];
  let pending = Buffer.alloc(0);
  let next = 0;
  let lost = 0;
  let repeated = 0;
  let malformed = 0;
  let executionId: string | undefined;
  let exit: TickerRun['exit'];
  let error: string | undefined;
  let finished = false;
  let finish!: () => void;
  const ended = new Promise<void>((resolve) => {
    finish = () => {
      finished = true;
      resolve();
    };
  });

  const onLine = (text: string, arrivedAt: number): void => {
    const line = parseTickerLine(text);
    if (line === undefined) {
      malformed += 1;
      return;
    }
    if (line.seq < next) {
      repeated += 1;
      return;
    }
    lost += line.seq - next;
    next = line.seq + 1;
    arrivals.push({ ...line, arrivedAt, latencyMs: arrivedAt - (line.writtenAt - clockOffsetMs) });
  };
  const onBytes = (data: Uint8Array, arrivedAt: number): void => {
    pending = pending.length === 0 ? Buffer.from(data) : Buffer.concat([pending, data]);
    for (let newline = pending.indexOf(10); newline >= 0; newline = pending.indexOf(10)) {
      onLine(pending.subarray(0, newline + 1).toString('latin1'), arrivedAt);
      pending = pending.subarray(newline + 1);
    }
  };

  const startedAt = clockNow();
  const subscription = client.exec(BOX, tickerRequest(plan)).subscribe({
    next(event) {
      const now = clockNow();
      if (event.type === 'started') executionId = event.executionId;
      else if (event.type === 'stdout') onBytes(event.data, now);
      else if (event.type === 'stderr') malformed += 1;
      else if (event.type === 'notice') notices.push(`${event.kind}: ${event.message}`);
      else if (event.type === 'exit') {
        exit = { exitCode: event.exitCode, source: event.source };
        finish();
      }
    },
    error(cause: unknown) {
      error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      finish();
    },
    complete: () => finish(),
  });

  let capped = false;
  let stoppedAt = Number.NaN;
  const stop = async (): Promise<void> => {
    stoppedAt = clockNow();
    if (executionId === undefined) return;
    try {
      await firstValueFrom(client.signal(BOX, executionId, 15));
    } catch (cause) {
      notices.push(`(bench) SIGTERM failed: ${String(cause)}`);
    }
  };
  while (!finished) {
    await Promise.race([sleep(pollMs), ended]);
    if (finished) break;
    if (Number.isNaN(stoppedAt)) {
      const state = executionId === undefined ? undefined : await host.ticker(executionId);
      if (state !== undefined && options.shouldStop(state)) {
        await stop();
      } else if (clockNow() - startedAt >= capMs) {
        capped = true;
        await stop();
      }
    } else if (clockNow() - stoppedAt >= exitWaitMs) {
      break;
    }
  }
  const endedAt = clockNow();
  subscription.unsubscribe();
  if (!finished && executionId !== undefined) {
    await firstValueFrom(client.kill(BOX, executionId)).catch(() => undefined);
  }
  const state = executionId === undefined ? undefined : await host.ticker(executionId);
  if (executionId !== undefined) host.forgetTicker(executionId);

  let undelivered = 0;
  const written = state?.linesWritten ?? next;
  if (exit !== undefined) {
    // The stream ended with the exit: every written line should have come.
    lost += Math.max(0, written - next);
    if (pending.length > 0) malformed += 1;
  } else {
    undelivered = Math.max(0, written - next);
  }
  return {
    executionId,
    arrivals,
    lost,
    repeated,
    malformed,
    undelivered,
    exit,
    error,
    notices,
    state,
    capped,
    startedAt,
    stoppedAt,
    endedAt,
  };
}

/** The accepted attaches of a timeline, in order, each with the detach of its socket (same index). */
export function attachCycles(state: TickerState): { attempt: number; attachedAt: number; linesWritten: number; detachedAt: number | undefined }[] {
  return state.attaches
    .filter((attach) => attach.status === 101)
    .map((attach, i) => ({ attempt: attach.attempt, attachedAt: attach.at, linesWritten: attach.linesWritten, detachedAt: state.detaches[i]?.at }));
}

/** Stop once every planned cut was applied and `linesAfter` lines were written since the last accepted attach, which is not cut. */
export function stopAfterLastCut(cuts: number, linesAfter: number): (state: TickerState) => boolean {
  return (state) => {
    if (state.cuts.length < cuts) return false;
    const last = attachCycles(state).at(-1);
    const lastCut = state.cuts.at(-1);
    if (last === undefined || (lastCut !== undefined && last.attempt <= lastCut.attempt)) return false;
    return state.linesWritten >= last.linesWritten + linesAfter;
  };
}

/** A one-line summary of a run's end, for the log. */
export function describeEnd(run: TickerRun): string {
  const how = run.exit !== undefined ? `exit ${run.exit.exitCode} (${run.exit.source})` : run.error !== undefined ? `error ${run.error}` : 'no exit event';
  const stop = Number.isNaN(run.stoppedAt) ? 'not stopped' : `SIGTERM ${((run.stoppedAt - run.startedAt) / 1000).toFixed(1)} s after subscribing${run.capped ? ' (CAPPED)' : ''}`;
  return `${how}, ${stop}, ended ${((run.endedAt - run.startedAt) / 1000).toFixed(1)} s after subscribing`;
}
