import { Observable, catchError, concatMap, defer, map, type Subscriber } from 'rxjs';
import { just } from '../observables/just.js';
import { BoxliteHttpError, isBoxliteHttpError } from '../errors.js';
import type { ExecEvent } from '../events.js';
import { attach, type AttachConfig } from '../observables/attach.js';
import { preconnect } from '../observables/preconnect.js';
import { probe } from '../observables/probe.js';
import type { ProbeResult } from '../protocol/probeResult.js';
import { reattach } from '../observables/reattach.js';
import { forwardEvents } from '../operators/forwardEvents.js';
import { withExitReason } from '../operators/withExitReason.js';
import { assertId, assertIds, attachUrl, boxUrl, executionUrl, type EndpointBase } from '../protocol/paths.js';
import { isTerminalDimension } from '../limits.js';
import { signalProblem, type ExecRequest, type ExecutionInfo } from '../protocol/types.js';
import { gatedRequest } from '../protocol/startGate.js';
import { isSpawnFailure } from '../protocol/errorBody.js';
import { validateExecRequest } from '../protocol/validateExecRequest.js';
import { defaultFetch, loadDefaultWebSocket } from '../transport/defaults.js';
import { parseJson, type FetchLike, type HttpResponse, type HttpTransport } from '../transport/http.js';
import type { EarlySocket } from '../transport/earlySocket.js';
import { Outbox, type AttachInput } from '../transport/outbox.js';
import { followExecution } from './follow.js';
import { followMainSession } from './followMainSession.js';
import { mainSessionSocket, type FollowTarget } from './followTarget.js';
import { resolveOptions, type RunnerClientOptions } from './options.js';
import { restCall, waitOutDraining } from './rest.js';

/** A client for one BoxLite server. Every method returns a cold observable. */
export interface RunnerClient {
  /**
   * Starts `request` in `boxId` (`POST /exec`) and follows it with the full recovery policy.
   * Emits `started` (the execution id) first (after a `server-draining` notice for each wait while
   * the runner drains, see `drainingWait`), then output and notices, then exactly one `exit`;
   * or one typed error. Unsubscribing closes the socket and aborts requests; it does not kill
   * the process (use `kill`). `input` is read from the subscription on, before the `POST` goes
   * out: what it emits before the first socket opens (during the `POST`, or a refused first
   * connect) is queued and sent once, in order. The WebSocket implementation is resolved before
   * the `POST`: without the `WebSocket` option in Node and without `ws` installed, it errors with
   * `MissingPeerDependencyError` and no command is started that could not be followed. A bad input value errors the execution after
   * `started`, so the id of the process it started is known. A token provider that fails on the
   * `POST` errors with `TokenProviderError`; on an attach, it takes the reconnect path.
   */
  exec(boxId: string, request: ExecRequest, input?: AttachInput): Observable<ExecEvent>;
  /** Follows an existing execution with the full recovery policy (no `started` event); `input` is read from the subscription on. */
  follow(boxId: string, executionId: string, input?: AttachInput): Observable<ExecEvent>;
  /**
   * Follows an execution read-only, with `follow`'s full recovery (replay alignment, drain,
   * reconnect, notices): every upgrade asks `?stdin=false`, and nothing is ever sent on its
   * sockets (no stdin, no `stdin_eof`, resize or signal: `signal`, `resize` and `kill` stay
   * available over REST). Without `executionId`, the box's main session (see `followMain`),
   * read-only. Where an observer takes the single attach slot (`boxlite serve`, older runners), a
   * writer's socket is a refused connect for it (backoff within the reconnect budget), and it
   * can hold a writer's reconnect off; on the newer runner observers and the writer attach side by
   * side. A server that ignores `stdin` serves it as a normal attach, to which it sends nothing.
   * A Close 1008 (serve's "read-only attach") ends it with `AttachDisconnectedError`, never a reconnect.
   */
  observe(boxId: string, executionId?: string): Observable<ExecEvent>;
  /**
   * Follows the box's main session (the process the box runs, not an exec) through
   * `GET /boxes/{boxId}/attach`, with the full recovery: `started` first, with the execution id
   * its 101 carries in `X-Boxlite-Execution-Id`, which the probe and every later socket use.
   * Where the socket does not show the 101's headers (a runtime's own WebSocket, a browser), it
   * errors with `ExecutionIdUnknownError`: it never follows without an id. A refusal of that
   * first upgrade (404: no main session; 409: attached elsewhere, or the box is stopped) is an
   * `AttachRejectedError`, final: there is no id yet to recover with.
   */
  followMain(boxId: string, input?: AttachInput): Observable<ExecEvent>;
  /**
   * The box's executions (`GET /boxes/{boxId}/executions`), as the server lists them. A server
   * without the listing answers 404: `BoxliteHttpError` with status 404 and code `not_offered`,
   * its message saying so (a box the server does not know answers 404 too).
   */
  executions(boxId: string): Observable<readonly ExecutionInfo[]>;
  /** One attach socket, no recovery: see `attach`. `input` is read from the subscription to the end; a bad value errors it. */
  attach(boxId: string, executionId: string, input?: AttachInput): Observable<ExecEvent>;
  /** The status of an execution, never an error: see `probe`. */
  probe(boxId: string, executionId: string): Observable<ProbeResult>;
  /** The drain attach (409 retried): see `reattach`. */
  reattach(boxId: string, executionId: string, input?: AttachInput): Observable<ExecEvent>;
  /** Sends a whitelisted signal (`POST /signal`). Emits `undefined` once on success. */
  signal(boxId: string, executionId: string, signal: number): Observable<void>;
  /** Resizes a TTY execution (`POST /resize`). Emits `undefined` once on success. */
  resize(boxId: string, executionId: string, cols: number, rows: number): Observable<void>;
  /** SIGKILLs and evicts the execution (`DELETE`). Emits `undefined` once on success. */
  kill(boxId: string, executionId: string): Observable<void>;
}

/**
 * Creates a client. Options are checked here, with a `TypeError`/`RangeError` naming the option.
 *
 * @example
 * const client = createRunnerClient({ baseUrl: process.env.BOXLITE_REST_URL!, token: process.env.BOXLITE_API_KEY });
 * client.exec('box-1', { command: 'echo', args: ['hello'] }).pipe(toExecResult()).subscribe(console.log);
 */
export function createRunnerClient(clientOptions: RunnerClientOptions): RunnerClient {
  const options = resolveOptions(clientOptions);
  const base: EndpointBase = { baseUrl: options.baseUrl, pathPrefix: options.pathPrefix };
  const given: FetchLike = options.fetch ?? ((url, init) => defaultFetch().then((impl) => impl(url, init)));
  const { shapes } = options;
  // With replayShape 'auto', a success's Content-Type hints at the server (docs/delivery.md, "The shape found by itself").
  const fetch: FetchLike = shapes ? (url, init) => given(url, init).then((response) => (shapes.heard(response), response)) : given;
  const http: HttpTransport = { fetch, token: options.token };
  /** The socket implementation once known: given, or loaded by the first `exec`, so later attaches skip the loader's promise. */
  let webSocket = options.WebSocket;
  /** Emits once the socket implementation is known (loaded on first use): nothing to follow with, no `POST`. */
  const webSocketReady$: Observable<unknown> = webSocket
    ? just(webSocket)
    : defer(loadDefaultWebSocket).pipe(
        map((loaded) => (webSocket = loaded)),
      );

  const attachConfig = (boxId: string, target: FollowTarget, outbox: Outbox, early?: EarlySocket): AttachConfig => ({
    url: attachUrl(base, boxId, target.id, target.readOnly),
    WebSocket: webSocket,
    token: options.token,
    sendAuthHeader: options.webSocketAuth === 'header',
    outbox,
    idleTimeout: options.idleTimeout,
    connectTimeout: options.connectTimeout,
    maxPayload: options.maxPayload,
    early,
  });
  const attachWith = (boxId: string, target: FollowTarget, outbox: Outbox, early?: EarlySocket): Observable<ExecEvent> =>
    mainSessionSocket(target, (opened) => attach({ ...attachConfig(boxId, target, outbox, early), opened }));
  const attachOnce = (boxId: string, executionId: string, input: AttachInput): Observable<ExecEvent> => {
    assertIds(boxId, executionId);
    return new Observable<ExecEvent>((subscriber) => {
      const outbox = new Outbox(input).start();
      attachWith(boxId, { id: executionId }, outbox).pipe(forwardEvents({ beside: [outbox.failures] })).subscribe(subscriber);
      return () => outbox.dispose();
    });
  };
  const probeOnce = (boxId: string, executionId: string): Observable<ProbeResult> => {
    assertIds(boxId, executionId);
    return probe({ http, url: executionUrl(base, boxId, executionId), timeout: options.probeTimeout });
  };
  /**
   * The recovery pipeline around one execution, fed by an outbox that already queues input. The
   * probe, a preconnect and the exit reason come after a socket opened: the main session's id is known then.
   */
  const followWith = (boxId: string, target: FollowTarget, outbox: Outbox): Observable<ExecEvent> => {
    const id = (): string => target.id as string;
    const events = followExecution(
      {
        options,
        attach: (shared, early) => attachWith(boxId, target, shared, early),
        probe: () => probeOnce(boxId, id()),
        ...(options.preconnect ? { preconnect: () => preconnect(attachConfig(boxId, target, outbox)) } : {}),
      },
      () => target.id,
      outbox,
    );
    const reason = (): Observable<string | undefined> =>
      probeOnce(boxId, id()).pipe(map((result) => (result.state === 'terminal' ? result.message : undefined)));
    return options.exitReason ? events.pipe(withExitReason(reason)) : events;
  };
  /** The box's main session with the full recovery: its id comes from its first socket's 101. */
  const followMain = (boxId: string, input: AttachInput, readOnly?: boolean): Observable<ExecEvent> => {
    assertId('boxId', boxId);
    return followMainSession((target) => followWith(boxId, target, new Outbox(input).start()), readOnly);
  };
  /**
   * The `POST /exec` of one execution, gated (docs/delivery.md, "Start gate": the command waits for
   * the gate's line, which `outbox` sends on each socket until a byte or the exit is seen). Made
   * here, not in `exec`'s subscriber, so the request and the POST's closures are not kept for as
   * long as the command runs.
   */
  const postExec = (boxId: string, request: ExecRequest, outbox: Outbox, events: Subscriber<ExecEvent>): Observable<HttpResponse> => {
    const nonce = 'g' + Math.random().toString(36).slice(2);
    const gated = options.startGate ? gatedRequest(request, nonce) : undefined;
    const url = boxUrl(base, boxId, '/exec');
    const send = (body: ExecRequest): Observable<HttpResponse> => restCall(http, 'exec', 'POST', url, options.requestTimeout, body);
    // A box without `sh`: the wrapper's spawn failed and nothing was created, so the command is posted ungated, once.
    const once = gated
      ? send(gated).pipe(
          catchError((error: unknown) => {
            if (!isSpawnFailure(error)) throw error;
            outbox.gate = undefined;
            return send(request);
          }),
        )
      : send(request);
    const post = (): Observable<HttpResponse> =>
      options.drainingWait ? waitOutDraining(once, options.drainingWait, (event) => events.next(event)) : once;
    if (gated) outbox.gate = nonce + '\n';
    // Once the socket implementation is known, the POST alone: no `concatMap` per execution.
    return webSocket ? post() : webSocketReady$.pipe(concatMap(post));
  };
  const command = (what: string, method: string, url: string, body?: unknown): Observable<void> =>
    restCall(http, what, method, url, options.requestTimeout, body).pipe(map(() => undefined));

  return {
    exec(boxId, request, input = {}) {
      assertId('boxId', boxId);
      validateExecRequest(request);
      // The outbox reads the input before the POST goes out: nothing written meanwhile is lost.
      // Not `concatMap(...)`: every event would then pass through the flattening operator.
      return new Observable<ExecEvent>((subscriber) => {
        const outbox = new Outbox(input).start();
        let id: string | undefined;
        subscriber.add(() => {
          outbox.dispose();
          // Ended before the gate was seen open: the command never ran, or waits for a line no socket will bring.
          if (outbox.gate && id) command('kill', 'DELETE', executionUrl(base, boxId, id)).subscribe({ error: () => undefined });
        });
        subscriber.add(
          postExec(boxId, request, outbox, subscriber).subscribe({
            next: (response) => {
              let executionId: string;
              try {
                executionId = readExecutionId(response);
                assertIds(boxId, executionId);
              } catch (error: unknown) {
                subscriber.error(error);
                return;
              }
              id = executionId;
              subscriber.next({ type: 'started', executionId });
              subscriber.add(followWith(boxId, { id: executionId }, outbox).subscribe(subscriber));
            },
            error: (error: unknown) => subscriber.error(error),
            complete: () => {
              if (id === undefined) subscriber.complete();
            },
          }),
        );
      });
    },
    follow(boxId, executionId, input = {}) {
      assertIds(boxId, executionId);
      return defer(() => followWith(boxId, { id: executionId }, new Outbox(input).start()));
    },
    observe(boxId, executionId) {
      if (executionId === undefined) return followMain(boxId, {}, true);
      assertIds(boxId, executionId);
      return defer(() => followWith(boxId, { id: executionId, readOnly: true }, new Outbox({})));
    },
    followMain: (boxId, input = {}) => followMain(boxId, input),
    executions(boxId) {
      assertId('boxId', boxId);
      return restCall(http, 'executions', 'GET', boxUrl(base, boxId, '/executions'), options.requestTimeout).pipe(
        catchError((error: unknown) => {
          throw isBoxliteHttpError(error) && error.status === 404
            ? new BoxliteHttpError(`executions: not offered here, or no box ${boxId} (${error.message})`, 404, 'not_offered')
            : error;
        }),
        map(readListing),
      );
    },
    attach: (boxId, executionId, input = {}) => attachOnce(boxId, executionId, input),
    probe: probeOnce,
    reattach: (boxId, executionId, input = {}) =>
      reattach(attachOnce(boxId, executionId, input), { deadline: options.drainTimeout, ...options.conflictBackoff }),
    signal(boxId, executionId, signal) {
      assertIds(boxId, executionId);
      const problem = signalProblem(signal);
      if (problem !== undefined) throw new RangeError(`${problem} (SIGKILL: use kill)`);
      return command('signal', 'POST', executionUrl(base, boxId, executionId, '/signal'), { signal });
    },
    resize(boxId, executionId, cols, rows) {
      assertIds(boxId, executionId);
      for (const [name, value] of [['cols', cols], ['rows', rows]] as const) {
        if (!isTerminalDimension(value)) {
          throw new RangeError(`resize: ${name} must be an integer from 1 to 65535, got ${value}`);
        }
      }
      return command('resize', 'POST', executionUrl(base, boxId, executionId, '/resize'), { cols, rows });
    },
    kill(boxId, executionId) {
      assertIds(boxId, executionId);
      return command('kill', 'DELETE', executionUrl(base, boxId, executionId));
    },
  };
}

function readExecutionId(response: HttpResponse): string {
  const body = parseJson(response.body) as { execution_id?: unknown } | undefined;
  const id = body?.execution_id;
  if (typeof id !== 'string' || id === '') {
    throw new BoxliteHttpError('exec: the answer has no execution_id', response.status);
  }
  return id;
}

function readListing({ body, status }: HttpResponse): readonly ExecutionInfo[] {
  const list = parseJson(body);
  if (Array.isArray(list)) return list as ExecutionInfo[];
  throw new BoxliteHttpError('executions: the answer is not a list', status);
}
