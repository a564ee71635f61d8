/**
 * The emulator's HTTP server: bearer auth, REST routing (docs/protocol.md §2, the listing of §7), and
 * the attach upgrade, of an execution or of a box's main session (§7), with its refusals (400 for a
 * `stdin` the server does not read, 401, 404, 409, fault statuses) before any 101.
 */

import { timingSafeEqual } from 'node:crypto';
import { ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Subject, type Observable } from 'rxjs';
import type { WebSocketServer } from 'ws';
import { MAX_STDIN_FRAME_BYTES } from '../../limits.js';
import { SIGNAL_WHITELIST, type ExecRequest } from '../../protocol/types.js';
import { AttachSession } from './attachSession.js';
import { errorResponse, htmlStatusPage, statusLine, type ErrorCode, type ErrorResponse } from './errorBodies.js';
import { DRAINING_MESSAGE, DrainingState, type Draining } from './draining.js';
import type { EmulatorEvent } from './events.js';
import type { ExecutionDriver, ExecutionView } from './execution.js';
import { ExecutionRegistry } from './executions.js';
import type { AttachFault } from './faults.js';
import { resolveOptions, type EmulatorOptions, type ResolvedOptions } from './options.js';
import { loadWebSocketServer } from './loadWs.js';
import { GateDriver, ungate } from './gate.js';
import { ProcessDriver, spawnChild } from './processExecution.js';
import { parseExecRequest, parseResizeRequest, parseSignalRequest, readJsonBody } from './requests.js';
import { matchRoute, rawPath, type Route } from './routes.js';
import { resolveScript, ScriptDriver, type Script } from './scripted.js';
import { createStats, type EmulatorStats, type MutableStats } from './stats.js';
import { readOnlyOf, stdinQuery } from './readOnly.js';


/** A running emulator. */
export interface RunnerEmulator {
  /** `http://127.0.0.1:PORT`: the client's base URL. */
  readonly url: string;
  /** The bearer token accepted. */
  readonly token: string;
  /** The tenant prefix, if any. */
  readonly pathPrefix: string | undefined;
  /** Live counters. */
  readonly stats: EmulatorStats;
  /** Everything that happens, as it happens; completes on {@link close}. */
  readonly events: Observable<EmulatorEvent>;
  /** A live read-only view of an execution, or undefined once evicted or if unknown. */
  execution(executionId: string): ExecutionView | undefined;
  /**
   * Faults for the next attach attempts of an execution, consumed one per attempt in order
   * (an `undefined` entry is a healthy attempt). Replaces any queue set before, including
   * `Script.attachFaults`. Once the queue is empty, the `faults` option decides.
   * @throws RangeError for an unknown execution.
   */
  setAttachFaults(executionId: string, faults: readonly (AttachFault | undefined)[]): void;
  /**
   * Starts or stops draining for a deploy, as the `draining` option: while it drains, `POST /exec`
   * answers 503 `{"error":"runner is draining"}` and creates nothing, and attach upgrades answer
   * the same 503 (counted in `drainingRefusals`). `{ execs: 2 }` refuses the next two `POST /exec`.
   * @throws TypeError/RangeError for a bad value.
   */
  setDraining(draining: Draining): void;
  /** Closes every socket, kills every process, stops every timer. Idempotent. */
  close(): Promise<void>;
}

type Reply = (status: number, body?: unknown, headers?: Readonly<Record<string, string>>) => void;

/** See the file comment. */
class EmulatorServer implements RunnerEmulator {
  url = '';
  readonly token: string;
  readonly pathPrefix: string | undefined;
  readonly stats: MutableStats = createStats();
  readonly events: Observable<EmulatorEvent>;

  private readonly options: ResolvedOptions;
  private readonly tokenBytes: Buffer;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly registry: ExecutionRegistry;
  private readonly events$ = new Subject<EmulatorEvent>();
  private readonly sessions = new Set<AttachSession>();
  private readonly upgradeSockets = new Set<Duplex>();
  private readonly draining = new DrainingState();
  /** The main session's execution id of each box that has one (`mainSessions`). */
  private readonly mainSessionIds = new Map<string, string>();
  /** The id an upgrade of the box route announces in `X-Boxlite-Execution-Id`. */
  private readonly announcedIds = new WeakMap<IncomingMessage, string>();
  private sequence = 0;
  private closing: Promise<void> | undefined;

  constructor(options: ResolvedOptions, Server: typeof WebSocketServer) {
    this.options = options;
    this.token = options.token;
    this.pathPrefix = options.pathPrefix;
    this.tokenBytes = Buffer.from(options.token, 'utf8');
    this.events = this.events$.asObservable();
    this.registry = new ExecutionRegistry(options, this.stats, this.emit);
    this.setDraining(options.draining);
    this.wss = new Server({ noServer: true, clientTracking: false, maxPayload: MAX_STDIN_FRAME_BYTES });
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const id = this.announcedIds.get(req);
      if (id !== undefined) headers.push(`X-Boxlite-Execution-Id: ${id}`);
    });
    this.startMainSessions();
    this.server = createServer((req, res) => {
      this.handleRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.sendError(res, req, 500, 'internal', `internal error: ${String(error)}`);
        else res.destroy();
      });
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(req, socket, head));
  }

  /** Starts listening and fills in {@link url}. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as AddressInfo;
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.url = `http://${host}:${address.port}`;
        resolve();
      });
    });
  }

  execution(executionId: string): ExecutionView | undefined {
    return this.registry.find(executionId)?.view();
  }

  setAttachFaults(executionId: string, faults: readonly (AttachFault | undefined)[]): void {
    const execution = this.registry.find(executionId);
    if (execution === undefined) throw new RangeError(`unknown execution ${executionId}`);
    execution.setAttachFaults(faults);
  }

  setDraining(draining: Draining): void {
    this.draining.set(draining);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const session of this.sessions) session.terminate();
      await Promise.all([...this.sessions].map((session) => session.closed));
      for (const socket of this.upgradeSockets) socket.destroy();
      await this.registry.disposeAll();
      this.server.closeAllConnections();
      this.wss.close();
      await serverClosed;
      this.events$.complete();
    })();
    return this.closing;
  }

  /** Starts each box's main session (`mainSessions`): its script, run as an exec of that command, never reaped. */
  private startMainSessions(): void {
    for (const [boxId, command] of this.options.mainSessions) {
      const script = resolveScript(this.options.scripts[command]!, { command });
      const tty = script.tty === true;
      const request: ExecRequest = tty ? { command, tty } : { command };
      const id = this.options.generateExecutionId({ boxId, request, sequence: this.sequence++ });
      this.mainSessionIds.set(boxId, id);
      this.registry.create({
        id,
        boxId,
        request,
        mainSession: true,
        attachFaults: script.attachFaults ?? [],
        createDriver: (sink, execution) => new ScriptDriver(script, sink, tty, () => execution.socketAttached),
      });
    }
  }

  private readonly emit = (event: EmulatorEvent): void => {
    this.events$.next(event);
  };

  // ----- auth and errors -----

  /** Constant-time bearer check. */
  private authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer +(\S+) *$/i.exec(header) : null;
    const given = Buffer.from(match?.[1] ?? '', 'utf8');
    if (given.length !== this.tokenBytes.length) {
      timingSafeEqual(this.tokenBytes, this.tokenBytes);
      return false;
    }
    return timingSafeEqual(given, this.tokenBytes);
  }

  private errorFor(req: IncomingMessage, status: number, code: ErrorCode, message: string): ErrorResponse {
    return errorResponse(this.options.errorBodies, status, code, message, { path: rawPath(req.url), method: req.method ?? 'GET' });
  }

  private sendError(res: ServerResponse, req: IncomingMessage, status: number, code: ErrorCode, message: string): void {
    const error = this.errorFor(req, status, code, message);
    res.writeHead(error.status, { ...error.headers, 'content-length': Buffer.byteLength(error.body) });
    res.end(error.body);
  }

  // ----- REST -----

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.restRequests += 1;
    const fail = (status: number, code: ErrorCode, message: string): void => this.sendError(res, req, status, code, message);
    const reply: Reply = (status, body, headers = {}) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, {
        ...(body === undefined ? {} : { 'content-type': this.options.errorBodies.jsonContentType }),
        'content-length': Buffer.byteLength(text),
        ...headers,
      });
      res.end(text);
    };
    if (!this.authorized(req)) {
      this.stats.unauthorized += 1;
      return fail(401, 'unauthenticated', 'missing or invalid bearer token');
    }
    const route = matchRoute(rawPath(req.url), this.options.prefixSegments);
    if (route === undefined || (route.kind === 'list' && !this.options.listsExecutions)) {
      return fail(404, 'not_found', `no route for ${req.method ?? 'GET'} ${rawPath(req.url)}`);
    }
    const method = req.method ?? 'GET';
    const allowed = route.kind === 'exec' || route.kind === 'signal' || route.kind === 'resize' ? ['POST'] : route.kind === 'execution' ? ['GET', 'DELETE'] : ['GET'];
    if (!allowed.includes(method)) return fail(405, 'unsupported', `method ${method} not allowed`);
    if (route.kind === 'exec') return this.handleExec(req, route.boxId, reply, fail);
    if (route.kind === 'attach' || route.kind === 'box-attach') return fail(400, 'invalid_argument', 'attach requires a WebSocket upgrade');
    if (route.kind === 'list') return reply(200, this.registry.list(route.boxId).map((execution) => execution.listed()));
    return this.handleExecutionCall(req, route, reply, fail);
  }

  private async handleExec(
    req: IncomingMessage,
    boxId: string,
    reply: Reply,
    fail: (status: number, code: ErrorCode, message: string) => void,
  ): Promise<void> {
    if (this.draining.refuses('execs')) {
      this.stats.drainingRefusals += 1;
      return fail(503, 'invalid_state', DRAINING_MESSAGE);
    }
    if (this.options.boxes !== undefined && !this.options.boxes.has(boxId)) {
      return fail(404, 'not_found', `box ${boxId} not found`);
    }
    const body = await readJsonBody(req);
    if ('status' in body) return fail(body.status, body.status === 413 ? 'resource_exhausted' : 'invalid_argument', body.message);
    const posted = parseExecRequest(body.value);
    if (typeof posted === 'string') return fail(400, 'invalid_argument', posted);
    // The client's start gate: everything but the driver sees the unwrapped command.
    const gate = ungate(posted);
    const parsed = gate?.request ?? posted;
    const scripts = this.options.scripts;
    const source = Object.hasOwn(scripts, parsed.command) ? scripts[parsed.command] : undefined;
    if (source === undefined && !this.options.allowProcesses) {
      return fail(400, 'invalid_argument', `unknown command ${parsed.command}: not a script, and processes are not allowed`);
    }
    let script: Script | undefined;
    try {
      script = source === undefined ? undefined : resolveScript(source, parsed);
    } catch (error) {
      return fail(400, 'invalid_argument', `script ${parsed.command} failed: ${String(error)}`);
    }
    const tty = parsed.tty === true || script?.tty === true;
    const request: ExecRequest = tty ? { ...parsed, tty: true } : parsed;
    const id = this.options.generateExecutionId({ boxId, request, sequence: this.sequence++ });
    if (typeof id !== 'string' || id === '') return fail(400, 'invalid_argument', 'generated execution id is empty');
    if (this.registry.has(id)) return fail(409, 'already_exists', `execution ${id} already exists`);
    // A program that cannot be spawned (the wrapper's `sh` included) creates nothing: the guest's
    // `spawn_failed`, in each server's words (runner: the Go SDK's error; serve: BoxliteError::Internal).
    const runs: Script | ChildProcess | NodeJS.ErrnoException = script === undefined ? await spawnChild(gate === undefined ? request : { ...posted, tty }) : script;
    if (runs instanceof Error) {
      const reason = `internal error: spawn_failed: ${runs.message}`;
      return fail(500, 'internal', this.options.server === 'serve' ? reason : `exec failed: failed to start execution: boxlite: ${reason} (code=1)`);
    }
    this.registry.create({
      id,
      boxId,
      request,
      attachFaults: script?.attachFaults ?? [],
      createDriver: (sink, execution): ExecutionDriver => {
        if (runs instanceof ChildProcess) {
          const { processQueueFull, processReadsPerMs } = this.options;
          return new ProcessDriver(runs, sink, tty, () => processQueueFull === 'wait' && execution.socketAttached, processReadsPerMs);
        }
        const run = (): ExecutionDriver => new ScriptDriver(runs, sink, tty, () => execution.socketAttached);
        const consumed = (bytes: number): void => {
          execution.stdinBytes -= bytes;
          this.stats.stdinBytes -= bytes;
        };
        return gate === undefined ? run() : new GateDriver(gate.nonce, sink, run, consumed);
      },
    });
    // Built segment by segment: the server answers for any id it routed, `..` included.
    const location = ['v1', ...this.options.prefixSegments, 'boxes', boxId, 'executions', id]
      .map((segment) => `/${encodeURIComponent(segment)}`)
      .join('');
    reply(201, { execution_id: id }, { location });
  }

  private async handleExecutionCall(
    req: IncomingMessage,
    route: Extract<Route, { executionId: string }>,
    reply: Reply,
    fail: (status: number, code: ErrorCode, message: string) => void,
  ): Promise<void> {
    const execution = this.registry.get(route.boxId, route.executionId);
    if (execution === undefined) return fail(404, 'not_found', `execution ${route.executionId} not found`);
    const notRunning = (): void => fail(409, 'invalid_state', `execution ${execution.id} is not running`);
    switch (route.kind) {
      case 'execution':
        if (req.method === 'GET') return reply(200, execution.info());
        execution.kill('killed', 'delete');
        this.registry.evict(execution, 'delete');
        return reply(204);
      case 'signal': {
        const body = await readJsonBody(req);
        if ('status' in body) return fail(body.status, 'invalid_argument', body.message);
        const signal = parseSignalRequest(body.value);
        if (typeof signal === 'string') return fail(400, 'invalid_argument', signal);
        if (!SIGNAL_WHITELIST.has(signal)) return fail(400, 'invalid_argument', `signal ${signal} is not allowed`);
        return execution.signal(signal, 'rest') ? reply(204) : notRunning();
      }
      case 'resize': {
        const body = await readJsonBody(req);
        if ('status' in body) return fail(body.status, 'invalid_argument', body.message);
        const size = parseResizeRequest(body.value);
        if (typeof size === 'string') return fail(400, 'invalid_argument', size);
        if (!execution.tty) return fail(400, 'invalid_argument', `execution ${execution.id} is not a TTY`);
        if (execution.isTerminal) return notRunning();
        execution.resize(size.cols, size.rows);
        return reply(204);
      }
      case 'attach':
        return fail(400, 'invalid_argument', 'attach requires a WebSocket upgrade');
    }
  }

  // ----- attach -----

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined);
    this.upgradeSockets.add(socket);
    socket.once('close', () => this.upgradeSockets.delete(socket));
    const refuse = (response: ErrorResponse): void => {
      writeRawResponse(socket, response.status, response.headers, response.body);
    };
    if (this.closing !== undefined) return refuse(this.errorFor(req, 503, 'invalid_state', 'emulator closing'));
    if (!this.authorized(req)) {
      this.stats.unauthorized += 1;
      return refuse(this.errorFor(req, 401, 'unauthenticated', 'missing or invalid bearer token'));
    }
    const route = matchRoute(rawPath(req.url), this.options.prefixSegments);
    if (route === undefined || (route.kind !== 'attach' && route.kind !== 'box-attach')) {
      return refuse(this.errorFor(req, 404, 'not_found', `no route for upgrade ${rawPath(req.url)}`));
    }
    const reading = this.options.readOnlyAttach;
    const stdin = stdinQuery(req.url);
    const readOnly = readOnlyOf(reading, stdin);
    if (typeof readOnly === 'string') return refuse(this.errorFor(req, 400, 'invalid_argument', readOnly));
    const executionId = route.kind === 'attach' ? route.executionId : this.mainSessionIds.get(route.boxId);
    const execution = executionId === undefined ? undefined : this.registry.get(route.boxId, executionId);
    if (execution === undefined) {
      const what = route.kind === 'attach' ? `execution ${route.executionId}` : `main session of box ${route.boxId}`;
      return refuse(this.errorFor(req, 404, 'not_found', `${what} not found`));
    }
    if (route.kind === 'box-attach') this.announcedIds.set(req, execution.id);
    const attempt = execution.attachAttempts;
    execution.attachAttempts += 1;
    this.stats.attachAttempts += 1;
    const queued = execution.takeQueuedFault();
    const fault =
      queued !== undefined
        ? queued.fault
        : this.options.faults?.({ executionId: execution.id, boxId: execution.boxId, command: execution.request.command, attempt });
    const asked = { ...(stdin === undefined ? {} : { stdin }), ...(readOnly ? { readOnly } : {}) };
    const reported = (status: number): void => this.emit({ type: 'attach', executionId: execution.id, attempt, status, ...asked });
    if (this.draining.refuses('attaches')) {
      this.stats.drainingRefusals += 1;
      reported(503);
      return refuse(this.errorFor(req, 503, 'invalid_state', DRAINING_MESSAGE));
    }

    if (fault?.reject !== undefined) {
      const { status, body = htmlStatusPage(status) } = fault.reject;
      this.stats.rejectedByFault += 1;
      if (status === 409) this.stats.rejected409 += 1;
      reported(status);
      return writeRawResponse(socket, status, contentTypeOf(body), body);
    }
    const slotToken = {};
    // The newer runner's observers take no slot; everyone else takes the single one.
    const observer = readOnly && reading === 'runner';
    if (!observer && !execution.reserveSlot(slotToken)) {
      this.stats.rejected409 += 1;
      reported(409);
      return refuse(this.errorFor(req, 409, 'invalid_state', `execution ${execution.id} already has an attached client`));
    }
    let upgraded = false;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      upgraded = true;
      this.upgradeSockets.delete(socket);
      reported(101);
      const session = new AttachSession({
        ws,
        socket,
        execution,
        slotToken,
        fault,
        ...(readOnly && reading !== 'ignored' ? { readOnly: reading } : {}),
        options: this.options,
        stats: this.stats,
        emit: this.emit,
      });
      this.sessions.add(session);
      void session.closed.then(() => this.sessions.delete(session));
    });
    if (!upgraded) execution.releaseSlot(slotToken, 0);
  }
}

/** A Content-Type for a fault body: JSON, HTML, or plain text. */
function contentTypeOf(body: string): Record<string, string> {
  const start = body.trimStart();
  if (start === '') return {};
  if (start.startsWith('{') || start.startsWith('[')) return { 'content-type': 'application/json' };
  if (start.startsWith('<')) return { 'content-type': 'text/html' };
  return { 'content-type': 'text/plain; charset=utf-8' };
}

/** Answers an upgrade request with a plain HTTP response and closes the connection. */
function writeRawResponse(socket: Duplex, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  const bytes = Buffer.from(body, 'utf8');
  const lines = [
    `HTTP/1.1 ${statusLine(status)}`,
    'Connection: close',
    `Content-Length: ${bytes.length}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes]));
}

/**
 * Starts a BoxLite runner emulator on a loopback port: REST, attach WebSocket, scripts,
 * optional real processes, and fault injection, for tests, demos and benchmarks.
 *
 * @example
 * ```ts
 * const emulator = await startRunnerEmulator({
 *   scripts: { hello: { steps: [{ stdout: 'hi\n' }, { exit: 0 }] } },
 * });
 * // POST `${emulator.url}/v1/boxes/box-1/exec` {"command":"hello"} with `Bearer ${emulator.token}`
 * await emulator.close();
 * ```
 * @param options see {@link EmulatorOptions}; validated up front (TypeError/RangeError), an unknown key included.
 * @returns the running emulator; rejects with `MissingPeerDependencyError` where `ws` is not installed.
 */
export async function startRunnerEmulator(options?: EmulatorOptions): Promise<RunnerEmulator> {
  const resolved = resolveOptions(options);
  const emulator = new EmulatorServer(resolved, await loadWebSocketServer());
  await emulator.listen();
  return emulator;
}
