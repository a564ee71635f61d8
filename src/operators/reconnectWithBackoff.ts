import { Observable, asyncScheduler, defer, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { just } from '../observables/just.js';
import { retryAfter } from './retryAfter.js';
import { checkKeys, delays } from '../checkOptions.js';
import {
  ReconnectBudgetExceededError,
  isAttachDisconnectedError,
  isAttachRejectedError,
  isReconnectRequiredError,
  isTokenProviderError,
  type ReconnectRequiredError,
} from '../errors.js';
import { notice, type ExecEvent, type ReconnectReason } from '../events.js';
import { REFUSED_BACKOFF } from '../limits.js';
import { AttemptLedger } from './attemptLedger.js';
import { reconnectDelay, type ReconnectDelays } from './reconnectDelay.js';
import { forwardEvents } from './forwardEvents.js';

/** The reconnect policy. Every delay is in milliseconds. */
export interface ReconnectConfig {
  /** First delay while the server is unavailable (the status probe failed: network, timeout, 5xx). Default 15000. */
  readonly initialDelay?: number;
  /** Largest delay while the server is unavailable; each delay doubles up to it. Default 30000. */
  readonly maxDelay?: number;
  /**
   * How long a run of consecutive failed attempts may last before giving up. Default 270000
   * (inside the server's 5-minute grace for a detached execution). An attempt that made
   * progress (see `healthyAfter`) ends the run, so an execution whose sockets keep being accepted
   * is followed for as long as it runs.
   */
  readonly budget?: number;
  /** A socket that stays open this long, or delivers anything, made progress. Default 1000. */
  readonly healthyAfter?: number;
}

/** `ReconnectConfig`'s defaults, one for each key (the compiler holds the table to the interface). */
export const RECONNECT_DEFAULTS: { readonly [K in keyof ReconnectConfig]-?: number } = { initialDelay: 15_000, maxDelay: 30_000, budget: 270_000, healthyAfter: 1_000 };

/** What the operator needs beyond the policy. */
export interface ReconnectContext {
  /** Delays after a refused connect while the server answers (409, 502): `REFUSED_BACKOFF`, 50 doubling to 2000, by default. */
  readonly refused?: { readonly initialDelay?: number | undefined; readonly maxDelay?: number | undefined };
  /**
   * Emits when a socket opens: the open starts the socket's life (see `healthyAfter`), and the
   * first one after a `reconnecting` notice is announced as `reconnected`.
   */
  readonly opened?: Observable<unknown>;
  /**
   * The execution's ledger, when the caller records its sockets' ends in it too
   * (`followExecution` does). By default each subscription keeps one of its own (`attemptLedger`).
   */
  readonly ledger?: AttemptLedger;
}

const OWNER = 'reconnectWithBackoff';

/**
 * The policy and the context with their defaults, checked: every delay a timer can wait (`budget`
 * and `healthyAfter` may pass it), `maxDelay` not below `initialDelay`.
 */
function reconnectPolicy(config: ReconnectConfig, context: ReconnectContext): ReconnectDelays & typeof RECONNECT_DEFAULTS {
  const policy = delays(OWNER, 'options', config, RECONNECT_DEFAULTS, ['budget', 'healthyAfter']);
  checkKeys(OWNER, 'context', context, ['refused', 'opened', 'ledger']);
  return { ...policy, refused: delays(OWNER, 'refused', context.refused ?? {}, REFUSED_BACKOFF) };
}

/** Why a reconnect is needed, from the probe's answer and the failure behind it. */
function reasonOf(error: ReconnectRequiredError): ReconnectReason {
  if (error.probe.state === 'unavailable') return 'unavailable';
  const { cause } = error;
  if (isAttachDisconnectedError(cause)) return 'cut';
  if (isTokenProviderError(cause)) return 'token';
  return isAttachRejectedError(cause) && cause.status === 409 ? 'conflict' : 'refused';
}

/**
 * Resubscribes to the source after a `ReconnectRequiredError`: at once after a cut while the
 * process runs, with short backoff after a refused connect, with long backoff while the server is
 * unavailable; every other error passes through at once. Each reconnect is announced first with
 * a `reconnecting` notice (attempt, reason, delay), and the socket it opens (see `opened`) with a
 * `reconnected` notice.
 *
 * ```
 * source (1st): --a--#                 # cut, probe: running
 * source (2nd):      (n)--b--x|        at once
 * result:       --a--(nr)b--x|         n: reconnecting (cut, 0 ms), r: reconnected (at the open)
 *
 * source (1st): --a--#                 # probe: unavailable
 * source (2nd):      n (15 s) --b--x|
 *
 * source:       --#  --#  --#          no progress, past the budget
 * result:       --n--n--n--#           ReconnectBudgetExceededError (cause: the last failure)
 * ```
 *
 * | the failure | the delay |
 * |---|---|
 * | a cut (the socket had opened), probe `running`, first in the run | 0: at once |
 * | a refused connect (409 slot held, 502, token provider failure), or a repeat, probe `running` | `refused`: 50 ms doubling to 2 s |
 * | probe `unavailable` (network, timeout, 5xx) | `initialDelay` doubling to `maxDelay` (15 s → 30 s) |
 *
 * The table is `reconnectDelay`'s, row by row. A run of failures ends when an attempt made
 * progress: it emitted anything, or its socket stayed open `healthyAfter` ms (from its `opened`
 * to its end, as the `ledger` has it). Only a run longer than `budget` gives up. Built on
 * `retryAfter`, which waits on the `asyncScheduler`, so a `TestScheduler` drives it. The source is expected to start
 * where it left off (as `exec`'s replay cursor makes it). It completes with the source.
 * A bad policy or an unknown key is a `RangeError` or `TypeError` at once.
 *
 * @example
 * follow$.pipe(drainOnTerminal(config), reconnectWithBackoff({ budget: 60_000 }));
 * @see drainOnTerminal
 * @see AttemptLedger
 */
export function reconnectWithBackoff(config: ReconnectConfig = {}, context: ReconnectContext = {}): MonoTypeOperatorFunction<ExecEvent> {
  const policy = reconnectPolicy(config, context);
  const { opened = just() } = context;
  return (source) =>
    defer(() => {
      const ledger = context.ledger ?? new AttemptLedger(policy.healthyAfter);
      /** Where the notices go: `notices`' subscriber, there before the source fails (forwardEvents subscribes it first). */
      let announce!: Subscriber<ExecEvent>;
      let reconnecting = false;
      const delayFor = (error: unknown): number | 'now' => {
        if (!isReconnectRequiredError(error)) throw error;
        const reason = reasonOf(error);
        const run = ledger.failed(reason);
        const wait = reconnectDelay(run, reason, policy);
        if (asyncScheduler.now() - run.startedAt + wait > policy.budget) {
          throw new ReconnectBudgetExceededError(run.failures, { cause: error });
        }
        reconnecting = true;
        announce.next(
          notice('reconnecting', `reconnecting (attempt ${run.failures}, ${reason}) in ${wait} ms`, { attempt: run.failures, reason, delay: wait }),
        );
        // At once means in this tick: even a wait of 0 would cost a macrotask (a millisecond in Node).
        return wait === 0 ? 'now' : wait;
      };
      // The `reconnecting` and `reconnected` notices; completes never: forwardEvents ignores a `beside` that completes.
      const notices = new Observable<ExecEvent>((subscriber) => {
        announce = subscriber;
        return opened.subscribe({
          next: () => {
            ledger.socketOpened();
            if (!reconnecting) return;
            reconnecting = false;
            subscriber.next(notice('reconnected', `reconnected after ${ledger.failures} attempt(s)`, { attempt: ledger.failures }));
          },
          error: (error: unknown) => subscriber.error(error),
        });
      });
      const attempts = defer(() => {
        ledger.attemptStarted();
        return source;
      });
      return attempts.pipe(
        retryAfter(delayFor),
        forwardEvents({ beside: [notices], onEvent: () => ledger.eventEmitted(), untilExit: false }),
      );
    });
}
