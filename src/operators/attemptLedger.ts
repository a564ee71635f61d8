import { asyncScheduler } from 'rxjs';
import { isAttachDisconnectedError } from '../errors.js';
import type { ReconnectReason } from '../events.js';
import type { Preconnect } from '../observables/preconnect.js';
import type { EarlySocket } from '../transport/earlySocket.js';
import { backoffOf, type FailureRun } from './reconnectDelay.js';

/**
 * The bookkeeping of one followed execution's attempts: the last socket's life, whether the
 * attempt made progress, the run of consecutive failures, and the socket opened ahead.
 *
 * Invariant: a run of failures holds only attempts that made no progress; an attempt made
 * progress when an event of it reached the subscriber, or its socket stayed open `healthyAfter` ms.
 *
 * ```
 * attempts:  [-o--a--#]  [--#]  [-#]  [-o--------#]   o: the socket opens, a: an event
 * progress:   yes         no     no    yes (open >= healthyAfter)
 * run:        1           1      2     1               (failures in the run after each)
 * ```
 *
 * `reconnectWithBackoff` marks each attempt's start, its socket's open and what it emits, and asks
 * `failed` at each retry; `followExecution` also reports what each socket delivered and how it
 * ended, and keeps the socket opened ahead here. A socket whose end is not reported lives until
 * `failed` is asked. Time is `asyncScheduler.now()`, so a `TestScheduler` drives it.
 *
 * @example
 * const ledger = new AttemptLedger(1_000);
 * attach$.pipe(reconnectWithBackoff({}, { ledger, opened: outbox.opens }));
 * @see reconnectWithBackoff
 */
export class AttemptLedger {
  /** When the attempt's socket opened, if it did. */
  private openedAt: number | undefined;
  /** When it ended, once reported. */
  private endedAt: number | undefined;
  /** Whether the socket delivered any frame (replayed ones included). */
  private delivered = false;
  /** Whether an event of the attempt reached the subscriber. */
  private emitted = false;
  private run: FailureRun | undefined;
  private resumeAtOnce = false;
  private ahead: Preconnect | undefined;

  /** @param healthyAfter A socket open this long made progress (`ReconnectConfig.healthyAfter`). */
  constructor(readonly healthyAfter: number) {}

  /** A new attempt starts: the last socket's life and what it delivered or emitted are forgotten. */
  attemptStarted(): void {
    this.openedAt = undefined;
    this.endedAt = undefined;
    this.delivered = false;
    this.emitted = false;
  }

  /** The attempt's socket opened now. */
  socketOpened(): void {
    this.openedAt = asyncScheduler.now();
    this.endedAt = undefined;
  }

  /** The socket delivered a frame. */
  socketDelivered(): void {
    this.delivered = true;
  }

  /**
   * The socket ended with `error`. A cut of a socket that delivered anything or stayed open
   * `healthyAfter` ms makes the next attach come at once after the probe (see `openAhead`).
   */
  socketEnded(error: unknown): void {
    this.endedAt = asyncScheduler.now();
    this.resumeAtOnce = isAttachDisconnectedError(error) && (this.delivered || this.stayedOpen());
  }

  /** An event of the attempt reached the subscriber. */
  eventEmitted(): void {
    this.emitted = true;
  }

  /** Whether the attempt's socket stayed open `healthyAfter` ms (until its end, or until now while it lives). */
  stayedOpen(): boolean {
    return this.openedAt !== undefined && (this.endedAt ?? asyncScheduler.now()) - this.openedAt >= this.healthyAfter;
  }

  /** Whether the attempt made progress: it emitted anything, or its socket stayed open `healthyAfter` ms. */
  madeProgress(): boolean {
    return this.emitted || this.stayedOpen();
  }

  /** How many failures the current run holds (0 before the first). */
  get failures(): number {
    return this.run?.failures ?? 0;
  }

  /**
   * The attempt failed for `reason`: it joins the current run, or starts a new one (now) when it
   * made progress or no run is under way. Returns the run with this failure counted in.
   */
  failed(reason: ReconnectReason): FailureRun {
    const run: { -readonly [K in keyof FailureRun]: number } =
      this.run === undefined || this.madeProgress() ? { startedAt: asyncScheduler.now(), failures: 0, unavailable: 0, refused: 0 } : { ...this.run };
    run.failures += 1;
    const backoff = backoffOf(reason, run.failures);
    if (backoff !== 'none') run[backoff] += 1;
    return (this.run = run);
  }

  /**
   * A probe after a cut goes out: if the cut socket made progress, the attach after the answer
   * comes at once, so its socket is opened now with `open` (once).
   */
  openAhead(open: () => Preconnect): void {
    if (this.resumeAtOnce) this.ahead ??= open();
  }

  /** The socket opened ahead, for the attach that now starts (see `Preconnect.take`). */
  takeAhead(): EarlySocket | undefined {
    const taken = this.ahead?.take();
    this.ahead = undefined;
    return taken;
  }

  /** Closes the socket opened ahead, if any: the wait will be long, or the execution is over. */
  dropAhead(): void {
    this.ahead?.dispose();
    this.ahead = undefined;
  }
}
