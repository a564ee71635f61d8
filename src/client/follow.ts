import { Observable, asyncScheduler, defer, tap } from 'rxjs';
import { ReplayCursor } from '../delivery/replayCursor.js';
import type { ExecEvent } from '../events.js';
import { isAttachDisconnectedError } from '../errors.js';
import type { Preconnect } from '../observables/preconnect.js';
import type { ProbeResult } from '../protocol/probeResult.js';
import { reattach } from '../observables/reattach.js';
import { drainOnTerminal } from '../operators/drainOnTerminal.js';
import { reconnectWithBackoff } from '../operators/reconnectWithBackoff.js';
import { skipReplayed } from '../operators/skipReplayed.js';
import type { EarlySocket } from '../transport/earlySocket.js';
import { Outbox, type AttachInput } from '../transport/outbox.js';
import type { ResolvedOptions } from './options.js';
import { isRecoverableAttachFailure } from './recoverable.js';

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
 * progress, so the reconnect budget bounds only consecutive failures. After a cut of an open
 * socket, the next socket is opened as the probe goes out (`context.preconnect`), and the attach
 * that follows the probe's answer takes it: the upgrade's round trips overlap the probe's.
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
    /** The next socket, opened as the probe after a cut went out. */
    let ahead: Preconnect | undefined;
    /** Whether the last socket delivered anything. */
    let delivered = false;
    /**
     * Whether the last socket was cut after it made progress (it delivered anything, or stayed
     * open `healthyAfter` ms): the attach after the probe then comes at once, a reconnect if the
     * process runs, the drain if it ended, so the probe opens the next socket as it goes out.
     */
    let resumeAtOnce = false;
    /** Whether the last socket stayed open `healthyAfter` ms. */
    const accepted = (): boolean => openedAt !== undefined && (endedAt ?? asyncScheduler.now()) - openedAt >= healthyAfter;
    const dropAhead = (): void => {
      ahead?.dispose();
      ahead = undefined;
    };
    const connect = (): Observable<ExecEvent> => {
      openedAt = undefined;
      endedAt = undefined;
      delivered = false;
      const early = ahead?.take();
      ahead = undefined;
      return context.attach(outbox, early);
    };
    const probe = (): Observable<ProbeResult> =>
      defer(() => {
        if (resumeAtOnce && context.preconnect !== undefined) ahead ??= context.preconnect();
        // An unavailable server means a long wait: a socket opened now would only hold its slot.
        return context.probe().pipe(
          tap((result) => {
            if (result.state === 'unavailable') dropAhead();
          }),
        );
      });
    const markEnd = tap<ExecEvent>({
      next: () => {
        delivered = true;
      },
      error: (error: unknown) => {
        endedAt = asyncScheduler.now();
        resumeAtOnce = isAttachDisconnectedError(error) && (delivered || accepted());
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
        probe,
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
        accepted,
        opened: opened$,
      }),
    );
    // Not `merge(follow$, outbox.failures).pipe(takeWhile(...))`: two hops for every event.
    return new Observable<ExecEvent>((subscriber) => {
      subscriber.add(() => {
        dropAhead();
        outbox.dispose();
      });
      subscriber.add(
        follow$.subscribe({
          next: (event) => {
            subscriber.next(event);
            if (event.type === 'exit') subscriber.complete();
          },
          error: (error: unknown) => subscriber.error(error),
        }),
      );
      subscriber.add(outbox.failures.subscribe({ error: (error: unknown) => subscriber.error(error) }));
    });
  });
}
