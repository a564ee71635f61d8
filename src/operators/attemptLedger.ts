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
  /** A new attempt starts: the last socket's life and what it delivered or emitted are forgotten. */
  readonly attemptStarted: () => void;
  /** The attempt's socket opened now. */
  readonly socketOpened: () => void;
  /** The socket delivered a frame. */
  readonly socketDelivered: () => void;
  /**
   * The socket ended with `error`. A cut of a socket that delivered anything or stayed open
   * `healthyAfter` ms makes the next attach come at once after the probe (see `openAhead`).
   */
  readonly socketEnded: (error: unknown) => void;
  /** An event of the attempt reached the subscriber. */
  readonly eventEmitted: () => void;
  /** Whether the attempt's socket stayed open `healthyAfter` ms (until its end, or until now while it lives). */
  readonly stayedOpen: () => boolean;
  /** Whether the attempt made progress: it emitted anything, or its socket stayed open `healthyAfter` ms. */
  readonly madeProgress: () => boolean;
  /**
   * The attempt failed for `reason`: it joins the current run, or starts a new one (now) when it
   * made progress or no run is under way. Returns the run with this failure counted in.
   */
  readonly failed: (reason: ReconnectReason) => FailureRun;
  /**
   * A probe after a cut goes out: if the cut socket made progress, the attach after the answer
   * comes at once, so its socket is opened now with `open` (once).
   */
  readonly openAhead: (open: () => Preconnect) => void;
  /** The socket opened ahead, for the attach that now starts (see `Preconnect.take`). */
  readonly takeAhead: () => EarlySocket | undefined;
  /** Closes the socket opened ahead, if any: the wait will be long, or the execution is over. */
  readonly dropAhead: () => void;
  /** The current run of failures, if any. */
  private run: FailureRun | undefined;

  /**
   * @param healthyAfter A socket open this long made progress (`ReconnectConfig.healthyAfter`).
   * The state lives in the constructor's closure (the methods are its arrow functions): no
   * property name of it reaches a bundle.
   */
  constructor(healthyAfter: number) {
    /** When the attempt's socket opened, if it did. */
    let openedAt: number | undefined;
    /** When it ended, once reported. */
    let endedAt: number | undefined;
    /** Whether the socket delivered any frame (replayed ones included). */
    let delivered = false;
    /** Whether an event of the attempt reached the subscriber. */
    let emitted = false;
    let resumeAtOnce = false;
    let ahead: Preconnect | undefined;
    const now = (): number => asyncScheduler.now();
    this.attemptStarted = () => {
      openedAt = endedAt = undefined;
      delivered = emitted = false;
    };
    this.socketOpened = () => {
      openedAt = now();
      endedAt = undefined;
    };
    this.socketDelivered = () => {
      delivered = true;
    };
    this.socketEnded = (error) => {
      endedAt = now();
      resumeAtOnce = isAttachDisconnectedError(error) && (delivered || this.stayedOpen());
    };
    this.eventEmitted = () => {
      emitted = true;
    };
    this.stayedOpen = () => openedAt !== undefined && (endedAt ?? now()) - openedAt >= healthyAfter;
    this.madeProgress = () => emitted || this.stayedOpen();
    this.failed = (reason) => {
      const run: { -readonly [K in keyof FailureRun]: number } =
        this.run === undefined || this.madeProgress() ? { startedAt: now(), failures: 0, unavailable: 0, refused: 0 } : { ...this.run };
      run.failures += 1;
      const backoff = backoffOf(reason, run.failures);
      if (backoff !== 'none') run[backoff] += 1;
      return (this.run = run);
    };
    this.openAhead = (open) => {
      if (resumeAtOnce) ahead ??= open();
    };
    this.takeAhead = () => {
      const taken = ahead?.take();
      ahead = undefined;
      return taken;
    };
    this.dropAhead = () => {
      ahead?.dispose();
      ahead = undefined;
    };
  }

  /** How many failures the current run holds (0 before the first). */
  get failures(): number {
    return this.run?.failures ?? 0;
  }
}
