/**
 * A same-origin gateway for browser tests: the pattern a browser app uses to reach a runner.
 *
 * Browsers cannot put `Authorization` on a WebSocket upgrade, and a token in the page or the URL
 * leaks. So the page talks only to its own origin: the gateway serves the page and static files,
 * authenticates the browser by an HttpOnly session cookie, and proxies REST and the attach
 * upgrade to the runner, adding `Authorization: Bearer`. The client runs with
 * `webSocketAuth: 'none'` and no token. See docs/browser.md.
 */

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { checkKeys, integer } from '../checkOptions.js';
import { statusLine } from './emulator/errorBodies.js';

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  /** The runner's REST base, `http://…` (the emulator's `url`); a path in it prefixes every proxied path. */
  readonly upstream: string;
  /** The runner's bearer token: added to every proxied request, never sent to the browser. */
  readonly token: string;
  /** HTML pages by exact path, e.g. `{ '/': '<!doctype html>…' }`. */
  readonly pages?: Readonly<Record<string, string>>;
  /** Static directories by URL prefix ending in `/`, e.g. `{ '/dist/': '/abs/path/dist' }`. */
  readonly static?: Readonly<Record<string, string>>;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
}

/** Every option, so that `checkKeys` knows them all and the compiler checks none is missing. */
const KNOWN: Readonly<Record<keyof GatewayOptions, true>> = { upstream: true, token: true, pages: true, static: true, port: true };

/** Who the messages name. */
const OWNER = 'startGateway';

/** Counters, for assertions. */
export interface GatewayStats {
  /** REST requests proxied to the runner. */
  readonly requests: number;
  /** Attach upgrades proxied to the runner. */
  readonly upgrades: number;
  /** API requests and upgrades refused: no session cookie (401) or a foreign `Origin` (403). */
  readonly refused: number;
}

/** A running gateway. */
export interface Gateway {
  /** `http://127.0.0.1:PORT`: the page's origin, and the client's `baseUrl`. */
  readonly url: string;
  /** The session a logged-in browser holds (set it as an HttpOnly cookie on {@link url}). */
  readonly sessionCookie: { readonly name: string; readonly value: string };
  readonly stats: GatewayStats;
  /** Stops listening and cuts every proxied connection. Idempotent. */
  close(): Promise<void>;
}

/** Only `/v1/…` (the BoxLite API) is proxied; everything else is a page or a static file. */
const API_PREFIX = '/v1/';
const COOKIE_NAME = 'boxlite_session';
/** Request headers the browser may send that the runner must not see, or that belong to one hop. */
const DROPPED_HEADERS = new Set(['authorization', 'cookie', 'host', 'origin', 'connection', 'keep-alive', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Starts a gateway on 127.0.0.1 in front of a runner (or the emulator).
 *
 * @example
 * ```ts
 * const gateway = await startGateway({ upstream: emulator.url, token: emulator.token, pages: { '/': html } });
 * await context.addCookies([{ ...gateway.sessionCookie, url: gateway.url, httpOnly: true, sameSite: 'Strict' }]);
 * // in the page: createRunnerClient({ baseUrl: location.origin, webSocketAuth: 'none' })
 * ```
 * @param options see {@link GatewayOptions}; validated up front (TypeError, RangeError), an unknown key included.
 * @returns the listening gateway.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  checkKeys(OWNER, 'options', options as unknown, Object.keys(KNOWN));
  const upstream = typeof options.upstream === 'string' && URL.canParse(options.upstream) ? new URL(options.upstream) : undefined;
  if (upstream?.protocol !== 'http:') throw new TypeError(`${OWNER}: upstream must be an http:// URL, got ${String(options.upstream)}`);
  if (typeof options.token !== 'string' || options.token === '') throw new TypeError(`${OWNER}: token must be a non-empty string`);
  for (const prefix of Object.keys(options.static ?? {})) {
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new TypeError(`${OWNER}: static prefix must start and end with /, got ${prefix}`);
  }
  const port = integer(OWNER, 'port', options.port, 0, 0, 65_535);
  const session = randomBytes(32).toString('hex');
  const stats = { requests: 0, upgrades: 0, refused: 0 };
  const tunnels = new Set<Duplex>();
  const agent = new Agent({ keepAlive: true });
  const basePath = upstream.pathname.replace(/\/$/, '');
  let origin = '';

  /** 401 without the session cookie, 403 for a request from another origin; undefined when allowed. */
  const refusal = (req: IncomingMessage, upgrade: boolean): number | undefined => {
    const sent = req.headers.origin;
    // Browsers send Origin on every upgrade: checking it stops cross-site WebSocket hijacking.
    if (sent !== undefined ? sent !== origin : upgrade) return 403;
    return hasSession(req.headers.cookie, session) ? undefined : 401;
  };
  const upstreamHeaders = (req: IncomingMessage): OutgoingHttpHeaders => ({
    ...Object.fromEntries(Object.entries(req.headers).filter(([name]) => !DROPPED_HEADERS.has(name))),
    host: upstream.host,
    authorization: `Bearer ${options.token}`,
  });

  const proxyRequest = (req: IncomingMessage, res: ServerResponse): void => {
    stats.requests += 1;
    const outgoing = httpRequest(
      { agent, host: upstream.hostname, port: upstream.port, method: req.method, path: basePath + (req.url ?? '/'), headers: upstreamHeaders(req) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !DROPPED_HEADERS.has(name))));
        answer.pipe(res);
      },
    );
    outgoing.on('error', () => {
      if (res.headersSent) res.destroy();
      else plain(res, 502);
    });
    // The browser gave up (an aborted fetch): abort the runner request too.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path.startsWith(API_PREFIX)) {
      const status = refusal(req, false);
      if (status === undefined) return proxyRequest(req, res);
      stats.refused += 1;
      return plain(res, status);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405);
    const page = options.pages !== undefined && Object.hasOwn(options.pages, path) ? options.pages[path] : undefined;
    if (page !== undefined) return send(res, 200, CONTENT_TYPES['.html'] ?? '', page);
    const file = staticFile(options.static ?? {}, path);
    if (file === undefined) return plain(res, 404);
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    const status = path.startsWith(API_PREFIX) ? refusal(req, true) : 404;
    if (status !== undefined) {
      if (status !== 404) stats.refused += 1;
      socket.end(`HTTP/1.1 ${statusLine(status)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    stats.upgrades += 1;
    const runner = connect(Number(upstream.port || 80), upstream.hostname);
    tunnel(socket, runner, tunnels);
    const headers = Object.entries(upstreamHeaders(req)).map(([name, value]) => `${name}: ${String(value)}\r\n`);
    runner.write(`GET ${basePath}${req.url ?? '/'} HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n${headers.join('')}\r\n`);
    if (head.length > 0) runner.write(head);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  return {
    url: origin,
    sessionCookie: { name: COOKIE_NAME, value: session },
    stats,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
        agent.destroy();
      });
      return closing;
    },
  };
}

/** Whether the Cookie header carries the session, compared in constant time. */
function hasSession(header: string | undefined, session: string): boolean {
  const expected = Buffer.from(session);
  for (const part of (header ?? '').split(';')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name !== COOKIE_NAME) continue;
    const given = Buffer.from(value);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  return false;
}

/**
 * Pipes an upgraded browser socket and a runner socket into each other. An orderly end is passed
 * on after the data in flight (so a 101 or a last frame is not lost); a reset cuts the other side.
 */
function tunnel(browser: Duplex, runner: Socket, open: Set<Duplex>): void {
  open.add(browser).add(runner);
  const link = (from: Duplex, to: Duplex): void => {
    from.pipe(to);
    from.on('error', () => from.destroy());
    from.on('close', () => {
      open.delete(from);
      if (!to.writableEnded) to.destroy();
    });
  };
  link(browser, runner);
  link(runner, browser);
}

/** The file a static prefix maps `path` to, if it exists and stays inside its directory. */
function staticFile(mounts: Readonly<Record<string, string>>, path: string): string | undefined {
  for (const [prefix, directory] of Object.entries(mounts)) {
    if (!path.startsWith(prefix)) continue;
    const root = resolve(directory);
    try {
      const file = resolve(root, decodeURIComponent(path.slice(prefix.length)));
      return file.startsWith(root + sep) && statSync(file).isFile() ? file : undefined;
    } catch {
      return undefined; // a malformed escape, or no such file
    }
  }
  return undefined;
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** A status with its reason phrase as a plain-text body. */
function plain(res: ServerResponse, status: number): void {
  send(res, status, 'text/plain; charset=utf-8', `${statusLine(status)}\n`);
}
