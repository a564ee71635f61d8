import { asyncScheduler, defer, finalize, merge, takeWhile, tap, type Observable } from 'rxjs';
import { ReplayCursor } from '../delivery/replayCursor.js';
import type { ExecEvent } from '../events.js';
import type { ProbeResult } from '../observables/probeResult.js';
import { reattach } from '../observables/reattach.js';
import { drainOnTerminal } from '../operators/drainOnTerminal.js';
import { reconnectWithBackoff } from '../operators/reconnectWithBackoff.js';
import { skipReplayed } from '../operators/skipReplayed.js';
import { Outbox, type AttachInput } from '../transport/outbox.js';
import type { ResolvedOptions } from './options.js';
import { isRecoverableAttachFailure } from './recoverable.js';

/** What `followExecution` needs from the client. */
export interface FollowContext {
  readonly options: ResolvedOptions;
  readonly attach: (outbox: Outbox) => Observable<ExecEvent>;
  readonly probe: () => Observable<ProbeResult>;
}

/** The share of `drainTimeout` in which a drain retries a 409 (unless `conflictBackoff.deadline` says otherwise). */
const DRAIN_RETRY_SHARE = 0.9;

/** A socket that stays open this long made progress, unless `reconnect.healthyAfter` says otherwise. */
const HEALTHY_AFTER_MS = 1000;

/**
 * The full recovery policy around one execution's attach:
 *
 * ```
 * attach → skipReplayed → drainOnTerminal(probe, reattach → skipReplayed) → reconnectWithBackoff
 * ```
 *
 * One replay cursor and one stdin outbox live for the whole subscription, across every socket;
 * exactly one exit event ends it, or one typed error. Bad stdin input errors it too. An `Outbox`
 * passed in (already queueing input) is used instead of a new one, and disposed all the same.
 * A socket that stayed open `reconnect.healthyAfter` ms (or delivered anything) counts as
 * progress, so the reconnect budget bounds only consecutive failures.
 */
export function followExecution(context: FollowContext, executionId: string, input: AttachInput | Outbox): Observable<ExecEvent> {
  const { options } = context;
  const healthyAfter = options.reconnect.healthyAfter ?? HEALTHY_AFTER_MS;
  return defer(() => {
    const outbox = input instanceof Outbox ? input : new Outbox(input).start();
    const cursor = new ReplayCursor(options.ringBytes, options.replayShape);
    /** The last socket's life: from its open to its end (a cut), or to now while it lives. */
    let openedAt: number | undefined;
    let endedAt: number | undefined;
    const connect = (): Observable<ExecEvent> => {
      openedAt = undefined;
      endedAt = undefined;
      return context.attach(outbox);
    };
    const markEnd = tap<ExecEvent>({
      error: () => {
        endedAt = asyncScheduler.now();
      },
    });
    const attach$ = defer(connect).pipe(markEnd, skipReplayed(cursor));
    const drain$ = defer(connect).pipe(markEnd, skipReplayed(cursor, { drain: true }));
    const opened$ = outbox.opens.pipe(
      tap(() => {
        openedAt = asyncScheduler.now();
      }),
    );
    const follow$ = attach$.pipe(
      drainOnTerminal({
        probe: context.probe,
        // The last 409 retry must leave the drain time to upgrade and replay before drainTimeout.
        reattach: () => reattach(drain$, { deadline: options.drainTimeout * DRAIN_RETRY_SHARE, ...options.conflictBackoff }),
        drainTimeout: options.drainTimeout,
        drainSettle: options.drainSettle,
        opened: outbox.opens,
        isDisconnect: isRecoverableAttachFailure,
        executionId,
      }),
      reconnectWithBackoff(options.reconnect, {
        refused: options.conflictBackoff,
        accepted: () => openedAt !== undefined && (endedAt ?? asyncScheduler.now()) - openedAt >= healthyAfter,
        opened: opened$,
      }),
    );
    return merge(follow$, outbox.failures).pipe(
      takeWhile((event) => event.type !== 'exit', true),
      finalize(() => outbox.dispose()),
    );
  });
}
