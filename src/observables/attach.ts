import { Observable, asyncScheduler, concatMap, defer, type SchedulerAction, type Subscriber, type TeardownLogic } from 'rxjs';
import { just } from './just.js';
import { checkKeys, keysOf } from '../checkOptions.js';
import { AttachDisconnectedError, AttachRejectedError, isAttachRejectedError } from '../errors.js';
import type { ExecEvent } from '../events.js';
import { parseErrorBody } from '../protocol/errorBody.js';
import { decodeBinaryFrame, decodeTextFrame } from '../protocol/frames.js';
import { EarlySocket } from '../transport/earlySocket.js';
import { readBatch } from '../transport/readBatch.js';
import type { Outbox } from '../transport/outbox.js';
import { loadDefaultWebSocket } from '../transport/defaults.js';
import { redact } from '../transport/redact.js';
import { authHeaders, resolveToken, tokenTimeout, type TokenSource } from '../transport/token.js';
import {
  openSocket,
  type ListenerFor,
  type SocketEnd,
  type SocketHandle,
  type SocketListener,
  type SocketOptions,
  type UpgradeHeaders,
  type WebSocketConstructor,
} from '../transport/webSocket.js';

/** See src/transport/webSocket.ts: `true` in the browser build only. */
declare const __BOXLITE_BROWSER__: boolean | undefined;

/** Everything one attach needs. `createRunnerClient` builds it from its options. */
export interface AttachConfig {
  /** The `ws://…/attach` URL. */
  readonly url: string;
  /** The socket implementation; default `ws` in Node, the platform's own elsewhere. */
  readonly WebSocket?: WebSocketConstructor | undefined;
  /** The bearer token, or a provider asked once per socket (only when `sendAuthHeader`). */
  readonly token: TokenSource;
  /** Send `Authorization` on the upgrade (false behind a browser gateway that adds it). */
  readonly sendAuthHeader: boolean;
  /** Stdin and control messages; shared across sockets by `exec`. */
  readonly outbox?: Outbox | undefined;
  /**
   * Milliseconds without any frame or Ping after which the socket counts as dead; `false` turns
   * the watchdog off. The server pings every 15 s, so keep it at 45 s or more. `'auto'`: 45 s.
   * Where pings are invisible (a runtime's own WebSocket, browsers), a silent command is silent
   * too: its socket then ends as a cut every 45 s, and `exec`'s recovery probes (terminal: drain;
   * running: a new socket, the replay aligned), so a half-open socket is found, at the cost of one
   * status GET and one re-attach per 45 s of silence.
   */
  readonly idleTimeout: number | false | 'auto';
  /**
   * Milliseconds from subscription to the open socket: the token provider's answer and the
   * upgrade share this one budget.
   */
  readonly connectTimeout: number;
  /**
   * Largest message accepted, in bytes (`ws` only; default `ws`'s 100 MiB). A larger frame closes
   * the socket with 1009, which is handled as a cut.
   */
  readonly maxPayload?: number | undefined;
  /**
   * A socket already opened for this attach (see `preconnect`): the first subscription claims it
   * instead of asking for a token and opening one; `connectTimeout` then runs from the claim.
   */
  readonly early?: EarlySocket | undefined;
  /**
   * Called when the socket opens, before anything it brings, with its 101's headers where the
   * platform shows them (`ws`; `undefined` for a DOM WebSocket): `followMain` reads the main
   * session's execution id there.
   */
  readonly opened?: ((headers: UpgradeHeaders | undefined) => void) | undefined;
}

/** Every key of `AttachConfig`: the compiler checks that the table names each one. */
const CONFIG_KEYS = /* @__PURE__ */ keysOf<AttachConfig>({
  url: true,
  WebSocket: true,
  token: true,
  sendAuthHeader: true,
  outbox: true,
  idleTimeout: true,
  connectTimeout: true,
  maxPayload: true,
  early: true,
  opened: true,
});

/** The watchdog checks this many times per idle period, so silence is detected within 4/3 of it. */
const WATCHDOG_TICKS = 3;

/**
 * One attach socket as a cold observable: one subscription opens one socket.
 *
 * Emits the output frames as `stdout`/`stderr` events, and the exit frame as the one `exit`
 * event, then completes. Non-fatal `error` frames and malformed frames become `notice` events.
 * The output frames of one stream that arrive in one socket read are one event (`readBatch`:
 * their bytes joined, their lengths in `frames`), handed on in a microtask after the first of
 * them, and before anything the socket brings after them (not in the browser build: a browser
 * dispatches each message as a task of its own).
 *
 * ```
 * socket:   --o--a--b--x|     o: upgrade done, x: exit frame
 * attach:   -----a--b--x|
 *
 * socket:   --o--(ab)--x|     a and b in one socket read
 * attach:   -----(ab)--x|     one event: data a ++ b, frames [|a|, |b|]
 *
 * socket:   --o--a--|         cut before the exit frame
 * attach:   -----a--#         AttachDisconnectedError (close code 1006)
 *
 * socket:   --o--a---------   silent for idleTimeout: no frame, no Ping (where pings are
 * attach:   -----a------#     visible; none are where they are not), AttachDisconnectedError
 *                             (1006): `exec` then probes, and drains or re-attaches
 *
 * socket:   --409|            upgrade refused
 * attach:   --#               AttachRejectedError (status 409)
 *
 * socket:   --401|            refused for auth (401 or 403)
 * attach:   --#               AttachRejectedError (status 401), its message naming the
 *                             token and `webSocketAuth` (`AUTH_HINT`), never the token
 *
 * token:    ---#              the provider throws, rejects or answers no usable token
 * attach:   ---#              TokenProviderError (no socket is opened)
 * ```
 *
 * A socket that ends, or stays silent (no frame and no Ping) for `idleTimeout`, before the exit
 * frame errors with `AttachDisconnectedError`. A refused or failed upgrade errors with
 * `AttachRejectedError` (its `status` is `undefined` where the platform does not show one, as in
 * browsers, or when no answer came within `connectTimeout`). Unsubscribing closes the socket.
 * The token is resolved once per subscription, and only when it is sent (`sendAuthHeader`).
 * `connectTimeout` runs from the subscription: a provider still thinking when it runs out gives
 * a `TokenProviderError` ("did not answer within N ms"), an upgrade still pending an
 * `AttachRejectedError`. A string or a synchronous provider and an injected `WebSocket` make the
 * whole attach synchronous up to the socket, so virtual time drives it. An unknown key in
 * `config` is a `TypeError` naming it, thrown by the call.
 *
 * @example
 * attach(config).pipe(filter((e) => e.type === 'stdout')).subscribe((e) => process.stdout.write(e.data));
 * @see reattach
 * @see drainOnTerminal
 */
export function attach(config: AttachConfig): Observable<ExecEvent> {
  checkKeys('attach', 'options', config, CONFIG_KEYS);
  return new Observable<ExecEvent>((subscriber) => {
    const { connectTimeout, early } = config;
    let tokenKnown = false;
    // RxJS time without `timer` (it would bring its own code to a bundle): one scheduled task for the
    // socket's life, its state what it does: the connect bound until the open, then the idle watchdog.
    const task = asyncScheduler.schedule(runDue, connectTimeout, () => {
      subscriber.error(
        tokenKnown ? new AttachRejectedError(`attach: no upgrade within ${connectTimeout} ms`, undefined) : tokenTimeout(connectTimeout),
      );
    }) as SchedulerAction<Due>;
    subscriber.add(task);
    if (early !== undefined && !early.claimed) {
      // Opened ahead (see `preconnect`): its token is known and its upgrade under way.
      tokenKnown = true;
      subscriber.add(attachSocket(config, early, early.token, subscriber, task));
      return;
    }
    // Not `socketSetup(config).pipe(concatMap(...))`: every frame would then pass through the flattening
    // operator. The socket's events go straight to the subscriber instead.
    subscriber.add(
      socketSetup(config).subscribe({
        next: ({ open, token }) => {
          tokenKnown = true;
          try {
            subscriber.add(attachSocket(config, open, token, subscriber, task));
          } catch (error: unknown) {
            subscriber.error(error);
          }
        },
        error: (error: unknown) => subscriber.error(error),
      }),
    );
  });
}

/** How to open one attach socket, once its token and implementation are known. */
export interface SocketSetup {
  readonly open: (listenerFor: ListenerFor) => SocketHandle;
  readonly token: string | undefined;
}

/**
 * The token (when it is sent) and the socket implementation of one attach, as one value: the
 * token first, so a failing provider errors before anything is loaded.
 */
export function socketSetup(config: AttachConfig): Observable<SocketSetup> {
  const { WebSocket: known, sendAuthHeader } = config;
  const setup = (Ctor: WebSocketConstructor, token: string | undefined): SocketSetup => {
    const options: SocketOptions = { headers: sendAuthHeader ? authHeaders(token) : undefined, maxPayload: config.maxPayload };
    return { open: (listenerFor) => openSocket(Ctor, config.url, options, listenerFor), token };
  };
  // The common case, a token string and a known implementation: one value, no operators.
  const { token } = config;
  if (known && typeof token !== 'function') return just(setup(known, sendAuthHeader ? token : undefined));
  if (known && !sendAuthHeader) return just(setup(known, undefined));
  const token$ = sendAuthHeader ? resolveToken(token) : just(undefined);
  return token$.pipe(
    concatMap((token) => (known ? just(setup(known, token)) : defer(() => loadDefaultWebSocket().then((Ctor) => setup(Ctor, token))))),
  );
}

/** What a socket's scheduled task does when it runs, as its state: `open` swaps the connect bound for the watchdog. */
type Due = (this: SchedulerAction<Due>) => void;

/** The work of every socket's task: one function, not one per socket. */
function runDue(this: SchedulerAction<Due>, due?: Due): void {
  // Every task is scheduled with its `Due` as its state.
  due!.call(this);
}

/** The default idle bound: three missed pings (where pings are visible). */
const AUTO_IDLE_TIMEOUT = 45_000;

/**
 * Opens the socket (or claims the one opened ahead) and feeds `subscriber`; on open, turns `task`
 * from the connect bound into the idle watchdog (or stops it); returns the teardown that closes
 * it. The listener is made from the socket's handle, so an open that a claimed socket replays at
 * once finds the handle it sends on. What the server says in words (a refusal's body, a close
 * reason, an error frame) is passed on with `token`, the one sent on this upgrade, masked.
 */
function attachSocket(
  config: AttachConfig,
  socket: SocketSetup['open'] | EarlySocket,
  token: string | undefined,
  subscriber: Subscriber<ExecEvent>,
  task: SchedulerAction<Due>,
): TeardownLogic {
  const { outbox } = config;
  // A browser dispatches each message as a task of its own, so one read's frames never meet there.
  const batch = typeof __BOXLITE_BROWSER__ === 'boolean' && __BOXLITE_BROWSER__ ? undefined : readBatch((event) => subscriber.next(event));
  const listenerFor = (handle: SocketHandle): SocketListener => {
    let silentTicks = 0;
    return {
      open(headers) {
        const idleTimeout = config.idleTimeout === 'auto' ? AUTO_IDLE_TIMEOUT : config.idleTimeout;
        if (idleTimeout === false) task.unsubscribe();
        else {
          const tick = idleTimeout / WATCHDOG_TICKS;
          // The same task, again each tick (as `timer(tick, tick)` would).
          const watch: Due = function () {
            silentTicks += 1;
            if (silentTicks > WATCHDOG_TICKS) {
              subscriber.error(new AttachDisconnectedError(`attach: no frame or ping for ${idleTimeout} ms`, 1006));
            }
            this.schedule(watch, tick);
          };
          task.schedule(watch, tick);
        }
        config.opened?.(headers);
        outbox?.connect(handle);
      },
      binary(frame) {
        silentTicks = 0;
        // Output, replayed or live: the start gate is open (docs/delivery.md, "Start gate").
        outbox?.gateOpened();
        if (batch?.add(frame)) return;
        const event = decodeBinaryFrame(frame);
        if (event !== undefined) subscriber.next(event);
      },
      text(text) {
        silentTicks = 0;
        batch?.flush();
        const event = decodeTextFrame(text);
        subscriber.next(event.type === 'notice' ? { ...event, message: redact(event.message, token) } : event);
        if (event.type === 'exit') {
          outbox?.gateOpened();
          subscriber.complete();
        }
      },
      alive() {
        silentTicks = 0;
      },
      end(end) {
        batch?.flush();
        subscriber.error(end.opened ? disconnected(end, token) : rejected(end, token));
      },
    };
  };
  const handle = socket instanceof EarlySocket ? socket.claim(listenerFor) : socket(listenerFor);
  return () => {
    batch?.drop();
    outbox?.disconnect(handle);
    handle.dispose();
  };
}

function disconnected(end: SocketEnd, token: string | undefined): AttachDisconnectedError {
  const reason = end.reason ? `: ${redact(end.reason, token)}` : '';
  return new AttachDisconnectedError(`attach: socket closed before the exit frame (code ${end.code}${reason})`, end.code, {
    cause: end.cause,
  });
}

/** Said, in parentheses, with every refusal that auth likely caused; never the token itself. */
export const AUTH_HINT = 'likely a wrong token or webSocketAuth';

const AUTH_STATUSES: readonly (number | undefined)[] = [401, 403];

/** Whether `error` is an upgrade refused with 401 or 403: wrong credentials, which no retry can fix. */
export const isAuthRefusal = (error: unknown): boolean => isAttachRejectedError(error) && AUTH_STATUSES.includes(error.status);

function rejected(end: SocketEnd, token: string | undefined): AttachRejectedError {
  if (end.status === undefined) {
    const detail = end.cause instanceof Error ? `: ${redact(end.cause.message, token)}` : '';
    return new AttachRejectedError(`attach: could not connect${detail}`, undefined, undefined, { cause: end.cause });
  }
  const body = parseErrorBody(end.status, redact(end.body ?? '', token));
  const hint = AUTH_STATUSES.includes(end.status) ? ` (${AUTH_HINT})` : '';
  return new AttachRejectedError(`attach refused: ${body.message}${hint}`, end.status, body.code);
}
