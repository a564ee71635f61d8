import { defer, finalize, merge, takeWhile, type Observable } from 'rxjs';
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
 */
export function followExecution(context: FollowContext, executionId: string, input: AttachInput | Outbox): Observable<ExecEvent> {
  const { options } = context;
  return defer(() => {
    const outbox = input instanceof Outbox ? input : new Outbox(input).start();
    const cursor = new ReplayCursor(options.ringBytes, options.replayShape);
    const attach$ = defer(() => context.attach(outbox)).pipe(skipReplayed(cursor));
    const drain$ = defer(() => context.attach(outbox)).pipe(skipReplayed(cursor, { drain: true }));
    const follow$ = attach$.pipe(
      drainOnTerminal({
        probe: context.probe,
        reattach: () => reattach(drain$, { deadline: options.drainTimeout, ...options.conflictBackoff }),
        drainTimeout: options.drainTimeout,
        isDisconnect: isRecoverableAttachFailure,
        executionId,
      }),
      reconnectWithBackoff(options.reconnect),
    );
    return merge(follow$, outbox.failures).pipe(
      takeWhile((event) => event.type !== 'exit', true),
      finalize(() => outbox.dispose()),
    );
  });
}
