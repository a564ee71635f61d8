import { Observable, catchError, defer, map, type MonoTypeOperatorFunction } from 'rxjs';
import { ReplayCursor } from '../delivery/replayCursor.js';
import type { ExecEvent } from '../events.js';
import type { Preconnect } from '../observables/preconnect.js';
import type { ProbeResult } from '../protocol/probeResult.js';
import { reattach } from '../observables/reattach.js';
import { AttemptLedger } from '../operators/attemptLedger.js';
import { drainOnTerminal } from '../operators/drainOnTerminal.js';
import { reconnectWithBackoff } from '../operators/reconnectWithBackoff.js';
import { skipReplayed } from '../operators/skipReplayed.js';
import { forwardEvents } from '../operators/forwardEvents.js';
import type { EarlySocket } from '../transport/earlySocket.js';
import { Outbox, type AttachInput } from '../transport/outbox.js';
import type { ResolvedOptions } from './options.js';
import { isFinalDrainFailure, isRecoverableAttachFailure, unopenedError } from './recoverable.js';

/** What `followExecution` needs from the client. */
export interface FollowContext {
  readonly options: ResolvedOptions;
  readonly attach: (outbox: Outbox, early?: EarlySocket) => Observable<ExecEvent>;
  readonly probe: () => Observable<ProbeResult>;
  /** Starts the next attach's socket ahead of it (see `preconnect`); without it, each attach opens its own. */
  readonly preconnect?: () => Preconnect;
}

/** The share of `drainTimeout` in which a drain retries a 409 (unless `conflictBackoff.deadline` says otherwise). */
const DRAIN_RETRY_SHARE = 0.9;

/**
 * The full recovery policy around one execution's attach:
 *
 * ```
 * attach → skipReplayed → drainOnTerminal(probe, reattach → skipReplayed) → reconnectWithBackoff
 * ```
 *
 * One replay cursor, one stdin outbox and one attempt ledger live for the whole subscription,
 * across every socket; exactly one exit event ends it, or one typed error. Bad stdin input errors
 * it too. A refusal for auth (401, 403) on any attach is that error; while no socket of the
 * execution has opened, a refusal without a status (a wrong `webSocketAuth` where the socket shows
 * none) is retried as a 409 until the drain's deadline or the reconnect budget, then becomes an
 * `AttachRejectedError` naming the likely cause, never a probed exit with no output. An `Outbox`
 * passed in (already queueing input) is used instead of a new one, and disposed all the same.
 * `executionId` may be a function: the main session's id is read when it is needed (a drain's
 * `ExecutionGoneError`), after its first socket opened. The ledger (`AttemptLedger`) tells progress from failure, so the
 * reconnect budget bounds only consecutive failures, and decides when the next socket is opened as
 * the probe goes out (`context.preconnect`): after a cut of a socket that made progress, the
 * attach that follows the probe's answer takes it, so the upgrade's round trips overlap the probe's.
 */
export function followExecution(
  context: FollowContext,
  executionId: string | (() => string | undefined),
  input: AttachInput | Outbox,
): Observable<ExecEvent> {
  const { options } = context;
  return new Observable<ExecEvent>((subscriber) => {
    const outbox = input instanceof Outbox ? input : new Outbox(input).start();
    const cursor = new ReplayCursor(options.ringBytes, options.shapes ?? options.replayShape);
    const ledger = new AttemptLedger(options.reconnect.healthyAfter);
    const socket = (): Observable<ExecEvent> => context.attach(outbox, ledger.takeAhead()).pipe(recordedIn(ledger));
    const { keepLossMarkers } = options;
    // A gated exec's socket that opens before any other did comes before its command's first byte.
    const attach$ = defer(() => socket().pipe(skipReplayed(cursor, { keepLossMarkers, fresh: !outbox.opened && outbox.gate !== undefined })));
    attach$
      .pipe(
        drainOnTerminal({
          probe: () => probeOpeningAhead(context, ledger),
          // The last 409 retry must leave the drain time to upgrade and replay before drainTimeout.
          reattach: () =>
            reattach(defer(socket).pipe(skipReplayed(cursor, { drain: true, keepLossMarkers })), { deadline: options.drainTimeout * DRAIN_RETRY_SHARE, ...options.conflictBackoff }),
          drainTimeout: options.drainTimeout,
          drainSettle: options.drainSettle,
          opened: outbox.opens,
          isDisconnect: isRecoverableAttachFailure,
          isFinal: (error) => isFinalDrainFailure(error, outbox.opened),
          // The main session's id is known once its first socket opened, before any probe.
          get executionId() {
            return typeof executionId === 'string' ? executionId : executionId();
          },
        }),
        reconnectWithBackoff(options.reconnect, { refused: options.refused, opened: outbox.opens, ledger }),
        catchError((error: unknown) => {
          throw outbox.opened ? error : unopenedError(error);
        }),
        forwardEvents({ beside: [outbox.failures] }),
      )
      .subscribe(subscriber);
    return () => {
      ledger.dropAhead();
      outbox.dispose();
    };
  });
}

/** Reports what a socket delivers and how it ends to the ledger. */
function recordedIn(ledger: AttemptLedger): MonoTypeOperatorFunction<ExecEvent> {
  return (source) =>
    new Observable<ExecEvent>((subscriber) =>
      source.subscribe({
        next: (event) => {
          ledger.socketDelivered();
          subscriber.next(event);
        },
        error: (error: unknown) => {
          ledger.socketEnded(error);
          subscriber.error(error);
        },
        complete: () => subscriber.complete(),
      }),
    );
}

/**
 * The probe after a cut, with the next socket opened as it goes out when the ledger says the
 * attach after it comes at once. An unavailable server means a long wait: a socket opened now
 * would only hold its slot, so it is closed at that answer.
 */
function probeOpeningAhead(context: FollowContext, ledger: AttemptLedger): Observable<ProbeResult> {
  return defer(() => {
    if (context.preconnect !== undefined) ledger.openAhead(context.preconnect);
    return context.probe().pipe(
      map((result) => {
        if (result.state === 'unavailable') ledger.dropAhead();
        return result;
      }),
    );
  });
}
