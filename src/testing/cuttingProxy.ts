/**
 * A cutting proxy: a real TCP proxy on a loopback port that forwards REST calls and attach
 * WebSockets to a runner, and cuts an attach right after its 101 response, the way the proxies
 * and load balancers in front of BoxLite did in PR #627 (docs/protocol.md §5). It can also answer a
 * request itself with an error status, as a load balancer does (502, 503).
 */

import {
  Agent,
  createServer,
  request as forward,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { checkKeys, integer, optionalFunction } from '../checkOptions.js';
import { htmlStatusPage } from './emulator/errorBodies.js';
import { isLoopbackHost } from './emulator/options.js';

/** What the cut decision learns about an attach the runner accepted with 101. */
export interface ProxiedAttach {
  /** The raw request path (still percent-encoded, query excluded). */
  readonly path: string;
  /** The execution the path names, decoded; `undefined` when the path names none. */
  readonly executionId: string | undefined;
  /** 0 for the first attach request of this execution through the proxy, then 1, 2, … (refused ones included). */
  readonly attempt: number;
}

/** What the refusal decision learns about a request, before it is forwarded. */
export interface ProxiedRequest {
  readonly method: string;
  /** The raw request path (still percent-encoded, query excluded). */
  readonly path: string;
  /** The execution the path names, decoded, if any. */
  readonly executionId: string | undefined;
  /** Whether this is an attach (a WebSocket upgrade). */
  readonly upgrade: boolean;
}

/** Options of {@link startCuttingProxy}. */
export interface CuttingProxyOptions {
  /** Where to forward: the runner's base URL, `http://127.0.0.1:PORT` (an `http:` loopback URL). */
  readonly target: string;
  /** Port to listen on, on 127.0.0.1. Default 0: a free one. */
  readonly port?: number;
  /**
   * Whether to cut this attach right after forwarding its 101 response: the client sees the
   * upgrade succeed, then the connection ends without a Close frame, and no frame the runner sent
   * reaches it. Default: cut the first attach of each execution (`attempt === 0`).
   */
  readonly cut?: (attach: ProxiedAttach) => boolean;
  /**
   * An HTTP status to answer this request with instead of forwarding it (an nginx-like HTML page),
   * or `undefined` to forward it. Default: forward everything.
   */
  readonly refuse?: (request: ProxiedRequest) => number | undefined;
}

/** Every option, so that `checkKeys` knows them all and the compiler checks none is missing. */
const KNOWN: Readonly<Record<keyof CuttingProxyOptions, true>> = { target: true, port: true, cut: true, refuse: true };

/** Who the messages name. */
const OWNER = 'startCuttingProxy';

/** The target as a URL: an `http:` URL on a loopback host. */
function targetUrl(target: unknown): URL {
  const url = typeof target === 'string' && URL.canParse(target) ? new URL(target) : undefined;
  if (url === undefined || url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
    throw new TypeError(`${OWNER}: target must be an http URL on a loopback host, got ${String(target)}`);
  }
  return url;
}

/** Counters of a running proxy. */
export interface CuttingProxyStats {
  /** REST requests forwarded. */
  readonly requests: number;
  /** Attach (upgrade) requests received. */
  readonly upgrades: number;
  /** Attaches cut right after their 101. */
  readonly cuts: number;
  /** Requests answered by `refuse`. */
  readonly refused: number;
}

/** A running cutting proxy. */
export interface CuttingProxy {
  /** `http://127.0.0.1:PORT`: give it to the client as `baseUrl`. */
  readonly url: string;
  /** Live counters. */
  readonly stats: CuttingProxyStats;
  /** Closes the listener and every connection, forwarded or not. Idempotent. */
  close(): Promise<void>;
}

/** Headers that describe one hop, never forwarded as they are. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/** The raw path of a request target, query excluded. */
function pathOf(url: string | undefined): string {
  const target = url ?? '/';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/** The decoded segment after `executions`, if the path has one. */
function executionIdOf(path: string): string | undefined {
  const segments = path.split('/');
  const at = segments.indexOf('executions');
  const raw = at === -1 ? undefined : segments[at + 1];
  if (raw === undefined || raw === '') return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** An HTTP/1.1 response head; `lines` are `name: value` header lines. */
function responseHead(status: number, message: string | undefined, lines: readonly string[]): Buffer {
  return Buffer.from(`HTTP/1.1 ${status} ${message ?? STATUS_CODES[status] ?? 'Unknown'}\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n`, 'latin1');
}

/** Header lines from `rawHeaders`, without the ones named (in lower case) in `drop`. */
function headerLines(rawHeaders: readonly string[], drop: ReadonlySet<string> = new Set()): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (!drop.has(name.toLowerCase())) lines.push(`${name}: ${rawHeaders[i + 1] as string}`);
  }
  return lines;
}

/** Answers on a raw socket with a complete response and closes it. */
function answer(socket: Duplex, status: number, message: string | undefined, lines: readonly string[], body: Buffer): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const head = responseHead(status, message, [...lines, 'Connection: close', `Content-Length: ${body.length}`]);
  socket.end(Buffer.concat([head, body]));
}

const REFUSAL_DROPS = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/**
 * Starts a cutting proxy in front of a runner (usually {@link startRunnerEmulator}).
 *
 * The proxy forwards REST calls (keep-alive) and WebSocket upgrades byte for byte. When the runner
 * answers an upgrade with 101, `cut` decides: forward the 101 and end the connection at once (the
 * frames the runner already sent are dropped, and the runner sees its socket close), or relay the
 * socket both ways until either side closes it.
 *
 * ```
 * client ──upgrade──▶ proxy ──upgrade──▶ runner
 * client ◀───101──── proxy ◀───101───── runner
 * client ◀──(FIN)─── proxy ──(close)──▶ runner     cut: the replay never arrives
 * ```
 *
 * @example
 * ```ts
 * const emulator = await startRunnerEmulator({ scripts: { hello: { steps: [{ stdout: 'hello\n' }] } } });
 * const proxy = await startCuttingProxy({ target: emulator.url });
 * const client = createRunnerClient({ baseUrl: proxy.url, token: emulator.token });
 * // the first attach of each execution is cut right after its 101
 * await proxy.close();
 * await emulator.close();
 * ```
 * @param options the target and the decisions; see {@link CuttingProxyOptions}. Checked up front:
 *   a bad value or an unknown key is a `TypeError` or `RangeError` naming it.
 * @returns the running proxy.
 */
export async function startCuttingProxy(options: CuttingProxyOptions): Promise<CuttingProxy> {
  checkKeys(OWNER, 'options', options as unknown, Object.keys(KNOWN));
  const target = targetUrl(options.target);
  const port = integer(OWNER, 'port', options.port, 0, 0, 65_535);
  const cut = optionalFunction(OWNER, 'cut', options.cut, 'a function') ?? ((attach: ProxiedAttach) => attach.attempt === 0);
  const refuse = optionalFunction(OWNER, 'refuse', options.refuse, 'a function') ?? (() => undefined);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const targetPort = Number(target.port || 80);
  const stats = { requests: 0, upgrades: 0, cuts: 0, refused: 0 };
  const attempts = new Map<string, number>();
  const raw = new Set<Duplex>();
  const agent = new Agent({ keepAlive: true });
  const track = (socket: Duplex): void => {
    raw.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => raw.delete(socket));
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = pathOf(req.url);
    const method = req.method ?? 'GET';
    const status = refuse({ method, path, executionId: executionIdOf(path), upgrade: false });
    if (status !== undefined) {
      stats.refused += 1;
      const body = htmlStatusPage(status);
      res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    stats.requests += 1;
    const upstream = forward({ host, port: targetPort, method, path: req.url, headers: endToEnd(req.headers), agent }, (response) => {
      res.writeHead(response.statusCode ?? 502, response.statusMessage, endToEnd(response.headers));
      response.pipe(res);
    });
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/html' }).end(htmlStatusPage(502));
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    track(socket);
    stats.upgrades += 1;
    const path = pathOf(req.url);
    const executionId = executionIdOf(path);
    const key = executionId ?? path;
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    const status = refuse({ method: req.method ?? 'GET', path, executionId, upgrade: true });
    if (status !== undefined) {
      stats.refused += 1;
      return answer(socket, status, undefined, ['Content-Type: text/html'], Buffer.from(htmlStatusPage(status)));
    }
    const upstream = forward({ host, port: targetPort, method: req.method, path: req.url, headers: req.headers, agent: false });
    upstream.on('upgrade', (response: IncomingMessage, runner: Socket, runnerHead: Buffer) => {
      track(runner);
      const head101 = responseHead(101, response.statusMessage, headerLines(response.rawHeaders));
      if (cut({ path, executionId, attempt })) {
        stats.cuts += 1;
        runner.destroy();
        socket.end(head101, () => socket.destroy());
        return;
      }
      socket.write(Buffer.concat([head101, runnerHead]));
      if (head.length > 0) runner.write(head);
      runner.pipe(socket);
      socket.pipe(runner);
      runner.once('close', () => socket.destroy());
      socket.once('close', () => runner.destroy());
    });
    upstream.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        answer(socket, response.statusCode ?? 502, response.statusMessage, headerLines(response.rawHeaders, REFUSAL_DROPS), Buffer.concat(chunks)),
      );
      response.on('error', () => socket.destroy());
    });
    upstream.on('error', () => answer(socket, 502, undefined, ['Content-Type: text/html'], Buffer.from(htmlStatusPage(502))));
    socket.once('close', () => upstream.destroy());
    upstream.end();
  };

  const server = createServer(onRequest);
  server.on('upgrade', onUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: listening } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${listening}`,
    stats,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of raw) socket.destroy();
        agent.destroy();
      });
      return closing;
    },
  };
}
