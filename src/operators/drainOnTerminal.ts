import {
  Observable,
  asyncScheduler,
  catchError,
  concatMap,
  defer,
  type MonoTypeOperatorFunction,
  type Subscription,
} from 'rxjs';
import { checkKeys, count, keysOf, milliseconds } from '../checkOptions.js';
import { just } from '../observables/just.js';
import { firstOr } from './firstOr.js';
import { retryAfter } from './retryAfter.js';
import { ExecutionGoneError, ReconnectRequiredError, isAttachDisconnectedError } from '../errors.js';
import { notice, type ExecEvent } from '../events.js';
import { isAuthRefusal } from '../observables/attach.js';
import type { ProbeResult } from '../protocol/probeResult.js';

const NO_PROBE_RESULT: ProbeResult = { state: 'unavailable', reason: 'the probe gave no result' };

/** Configuration of `drainOnTerminal`. */
export interface DrainOnTerminalConfig {
  /** Asks the server what became of the execution (`probe`); subscribed once per cut. */
  readonly probe: () => Observable<ProbeResult>;
  /**
   * The drain attach (`reattach`); subscribed only after a terminal probe, once per cut, and once
   * more for each re-attach after a cut that followed its open (see `drainReattempts`).
   */
  readonly reattach: () => Observable<ExecEvent>;
  /**
   * Milliseconds the drain may take in all, 409 retries and re-attaches included, before the
   * probed exit code is used instead of the server's exit frame. Default 60000.
   */
  readonly drainTimeout?: number;
  /**
   * Milliseconds a re-attach whose socket opened may go without an event (output, notice, exit
   * frame) before the probed exit code is used: the process has ended, so the server sends its
   * buffer and the exit frame at once, or not at all. The clock starts at the open and restarts at
   * every event; 409 retries before the open are bounded by `drainTimeout` only. Default 5000.
   */
  readonly drainSettle?: number;
  /**
   * How many times a re-attach cut after its open is attached again, at once, within
   * `drainTimeout`. The process has ended, so each one replays the same buffer; `skipReplayed` on
   * the re-attach (as `exec` puts it) delivers nothing twice, except that on a `chunks` server a
   * short run of delivered chunks that a cut kept it from proving is delivered again after a
   * `replay-overlap-unknown` notice. A refused connect does not count: that is `reattach`'s 409
   * path. Default 3.
   */
  readonly drainReattempts?: number;
  /**
   * Emits when an attach socket opens (the server accepted the upgrade); `exec` passes
   * `outbox.opens`. Listened to only while a re-attach runs. An event of the re-attach counts as
   * its open too (frames come only over an open socket), so without it the first event starts the
   * settle clock.
   */
  readonly opened?: Observable<unknown>;
  /**
   * Which errors count as a cut. Default: `AttachDisconnectedError` only. `exec` also counts a
   * failed connect (a 502 from a load balancer, a 409, a network error) so it takes the same path.
   */
  readonly isDisconnect?: (error: unknown) => boolean;
  /**
   * Which failures of a re-attach end the execution with that error instead of the probed exit
   * code. Default: an upgrade refused with 401 or 403 (`isAuthRefusal`), a wrong token or
   * `webSocketAuth`. `exec` also ends it on a refusal without a status while no socket of the
   * execution has opened.
   */
  readonly isFinal?: (error: unknown) => boolean;
  /** Names the execution in `ExecutionGoneError`. */
  readonly executionId?: string | undefined;
}

/** Every key of `DrainOnTerminalConfig`: the compiler checks that the table names each one. */
const CONFIG_KEYS = /* @__PURE__ */ keysOf<DrainOnTerminalConfig>({
  probe: true,
  reattach: true,
  drainTimeout: true,
  drainSettle: true,
  drainReattempts: true,
  opened: true,
  isDisconnect: true,
  isFinal: true,
  executionId: true,
});

/**
 * When the attach stream is cut, asks whether the process ended, and if it did, splices in a
 * re-attach that drains the server's buffer before the exit.
 *
 * The server keeps every byte of output in a replay ring and sends it to each new attach, so a
 * cut that races the exit frame loses nothing if the client attaches once more, at once.
 *
 * ```
 * source:    --a--#                   # AttachDisconnectedError
 * probe:          --t|                t terminal, exit code 0
 * reattach:         -o-a--b--x|       o its socket opens (`opened`), the ring is
 *                                     replayed, then the server's exit frame x
 * result:    --a-------a--b--x|
 *
 * reattach:         -o-a-#            cut after its open: re-attached at once,
 * reattach:              -o-a--b--x|  up to drainReattempts times (the same ring:
 * result:    --a-------a----a--b--x|  skipReplayed drops the repeated a)
 *
 * reattach:         -o-a-----         silent for drainSettle (5 here) after its
 * result:    --a-------a----(nx|)     open or last event: n drain-incomplete,
 *                                     x the exit code from the probe
 *
 * reattach:         --#               refused (404, or 409 past reattach's deadline),
 * result:    --a------(nx|)           or cut with no re-attach left; likewise when
 *                                     drainTimeout passes: n, then x from the probe
 *
 * reattach:         --#               refused with 401 or 403 (`isFinal`): a wrong
 * result:    --a------#               token or webSocketAuth, AttachRejectedError
 *
 * probe:          --r|                r running (or u unavailable)
 * result:    --a----#                 ReconnectRequiredError: retry downstream
 *
 * probe:          --g|                g gone (404)
 * result:    --a----#                 ExecutionGoneError
 * ```
 *
 * Exactly one exit leaves the drain: the re-attach's own exit frame when it arrives, otherwise the
 * probed exit code (source `probe`) after a `drain-incomplete` notice that says why. The drain is
 * bounded three ways: `drainTimeout` in all; `drainSettle` of silence once a socket opened, so a
 * server that never sends exit holds the execution seconds, not a minute; and `drainReattempts`
 * re-attaches after cuts that followed an open. A cut before any open (a refused connect) is final
 * here: `reattach` already waited out the 409s (and the refusals without a status). A refusal for
 * auth (`isFinal`) ends the execution with its error: the probed exit code would pass a wrong
 * configuration off as a run with no output. The re-attach replays bytes the source already
 * delivered; put `skipReplayed` on both streams (as `exec` does) to drop them. Errors that are not
 * cuts pass through untouched: a `TimeoutError` stays a `TimeoutError`. Source completion and
 * unsubscription pass through as they are.
 *
 * @example
 * attach$.pipe(
 *   drainOnTerminal({ probe: () => probe$, reattach: () => reattach$, opened: outbox.opens }),
 *   retry({ delay: (error) => (isReconnectRequiredError(error) ? timer(15_000) : throwError(() => error)) }),
 * );
 * @see reattach
 * @see probe
 * @see docs/marbles/README.md
 * @param config The probe and re-attach to use, and the drain's bounds.
 * @returns An operator that mirrors the source and heals a cut that races the exit.
 */
export function drainOnTerminal(config: DrainOnTerminalConfig): MonoTypeOperatorFunction<ExecEvent> {
  checkKeys('drainOnTerminal', 'options', config, CONFIG_KEYS);
  const { opened = just(), isDisconnect = isAttachDisconnectedError, isFinal = isAuthRefusal } = config;
  const drainTimeout = milliseconds('drainOnTerminal', 'drainTimeout', config.drainTimeout, 60_000);
  const drainSettle = milliseconds('drainOnTerminal', 'drainSettle', config.drainSettle, 5_000);
  const drainReattempts = count('drainOnTerminal', 'drainReattempts', config.drainReattempts, 3);
  const bounds: DrainBounds = { reattach: config.reattach, opened, drainTimeout, drainSettle, drainReattempts, isDisconnect, isFinal };

  const afterProbe = (result: ProbeResult, cut: unknown): Observable<ExecEvent> => {
    switch (result.state) {
      case 'terminal':
        return drain(bounds, result);
      case 'gone':
        throw new ExecutionGoneError(config.executionId ?? 'unknown', `execution gone: ${result.message}`, { cause: cut });
      default:
        throw new ReconnectRequiredError(result, { cause: cut });
    }
  };

  return (source) =>
    source.pipe(
      catchError((error: unknown) => {
        if (!isDisconnect(error)) throw error;
        return config.probe().pipe(
          firstOr(NO_PROBE_RESULT),
          concatMap((result) => afterProbe(result, error)),
        );
      }),
    );
}

/** What one drain needs: the re-attach and the three bounds. */
interface DrainBounds {
  readonly reattach: () => Observable<ExecEvent>;
  readonly opened: Observable<unknown>;
  readonly drainTimeout: number;
  readonly drainSettle: number;
  readonly drainReattempts: number;
  readonly isDisconnect: (error: unknown) => boolean;
  readonly isFinal: (error: unknown) => boolean;
}

/**
 * One re-attach: its events, until it ends, or until a clock ends it (it then completes after
 * `onSilent(seen)`): `drainTimeout` until its socket opens (`opened`, or its first event), then
 * `drainSettle` from the open and from each event. `onItem` runs on the open and before each event.
 */
function socketEvents(bounds: DrainBounds, onItem: (event?: ExecEvent) => void, onSilent: (seen: boolean) => void): Observable<ExecEvent> {
  return new Observable<ExecEvent>((subscriber) => {
    let seen = false;
    let clock: Subscription | undefined;
    const arm = (ms: number): void => {
      subscriber.add((clock = asyncScheduler.schedule(() => {
        onSilent(seen);
        subscriber.complete();
      }, ms)));
    };
    const item = (event?: ExecEvent): void => {
      clock?.unsubscribe();
      seen = true;
      onItem(event);
      if (event) subscriber.next(event);
      arm(bounds.drainSettle);
    };
    const error = (e: unknown): void => subscriber.error(e);
    subscriber.add(bounds.opened.subscribe({ next: () => item(), error }));
    subscriber.add(bounds.reattach().subscribe({ next: item, error, complete: () => subscriber.complete() }));
    if (!seen) arm(bounds.drainTimeout);
  });
}

/**
 * The drain after a terminal probe: re-attaches until the server's exit frame, or falls back to
 * the probed exit code after a `drain-incomplete` notice naming the bound that ended it.
 */
function drain(bounds: DrainBounds, probed: Extract<ProbeResult, { state: 'terminal' }>): Observable<ExecEvent> {
  const { drainTimeout, drainSettle, drainReattempts, isDisconnect } = bounds;
  return new Observable<ExecEvent>((subscriber) => {
    let exited = false;
    /** Whether the socket of the current re-attach opened (an event proves it too). */
    let open = false;
    let failure = 'the re-attach ended without an exit frame';
    const timedOut = `the re-attach did not finish within ${drainTimeout} ms`;
    // One socket: until its open, only drainTimeout bounds it; from then on, drainSettle of silence ends it.
    const attempt = defer(() => {
      open = false;
      return socketEvents(
        bounds,
        (event) => {
          open = true;
          if (event?.type === 'exit') exited = true;
        },
        (seen) => {
          failure = seen ? `the re-attach sent nothing for ${drainSettle} ms` : timedOut;
        },
      );
    });
    // Unless the re-attach's exit frame came: the probed exit code, after a notice that says why.
    const end = (): void => {
      if (!exited) {
        subscriber.next(notice('drain-incomplete', `${failure}; exit code ${probed.exitCode} from the status endpoint`));
        subscriber.next({ type: 'exit', exitCode: probed.exitCode, source: 'probe', ...(probed.message === undefined ? {} : { message: probed.message }) });
      }
      subscriber.complete();
    };
    // The deadline, armed before the first re-attach: at the same instant as a socket's clock, it wins.
    subscriber.add(
      asyncScheduler.schedule(() => {
        failure = timedOut;
        end();
      }, drainTimeout),
    );
    subscriber.add(
      attempt
        // A cut after the open: attach again at once (the server freed the slot, or reattach waits out its 409s).
        .pipe(
          retryAfter((error) => {
            if (open && isDisconnect(error)) return 'now';
            throw error;
          }, drainReattempts),
        )
        .subscribe({
          next: (event) => subscriber.next(event),
          error: (error: unknown) => {
            if (bounds.isFinal(error)) return subscriber.error(error);
            failure = `the re-attach failed: ${error instanceof Error ? error.message : String(error)}`;
            end();
          },
          complete: end,
        }),
    );
  });
}
