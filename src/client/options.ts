import { DEFAULT_RING_BYTES, type ReplayShape } from '../delivery/replayCursor.js';
import type { ConflictBackoff } from '../observables/reattach.js';
import type { ReconnectConfig } from '../operators/reconnectWithBackoff.js';
import type { FetchLike } from '../transport/http.js';
import { tokenProblem, type TokenSource } from '../transport/token.js';
import type { WebSocketConstructor } from '../transport/webSocket.js';

/** Options of `createRunnerClient`. Only `baseUrl` is required. */
export interface RunnerClientOptions {
  /** REST base, e.g. `http://127.0.0.1:8080` or `https://api.boxlite.ai/api`. */
  readonly baseUrl: string;
  /** Bearer token, or a (sync or async) provider asked once per connection. */
  readonly token?: TokenSource;
  /** Optional tenant segment(s) after `/v1`; may contain `/`. */
  readonly pathPrefix?: string;
  /** A fetch implementation (default: the global one, else `cross-fetch`). */
  readonly fetch?: FetchLike;
  /** A WebSocket constructor (default: `ws` in Node, the global one elsewhere). */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * How the upgrade authenticates. `header` (default): `Authorization: Bearer`. `none`: nothing is
   * sent, for browsers, which cannot set headers on a WebSocket: a same-origin gateway authenticates
   * the upgrade instead (a cookie) and adds the header. The token never goes in the URL.
   */
  readonly webSocketAuth?: 'header' | 'none';
  /** Milliseconds a status probe may take before it counts as `unavailable` (default 5000). */
  readonly probeTimeout?: number;
  /** Milliseconds `POST /exec` and the other REST calls may take (default 30000). */
  readonly requestTimeout?: number;
  /** Milliseconds the attach upgrade may take (default 30000). */
  readonly connectTimeout?: number;
  /** Silence bound of a socket; see `AttachConfig.idleTimeout` (default `'auto'`). */
  readonly idleTimeout?: number | false | 'auto';
  /** Bound of the drain after a cut; see `drainOnTerminal` (default 60000). */
  readonly drainTimeout?: number;
  /**
   * Milliseconds a drain re-attach may stay silent after its upgrade (no output, no exit frame)
   * before the probed exit code is used; see `drainOnTerminal` (default 5000).
   */
  readonly drainSettle?: number;
  /**
   * How a 409 (slot still held) or another refused connect is retried: the drain's re-attach, until
   * `deadline` (default 90 % of `drainTimeout`), and a reconnect's refused connects while the
   * server answers. Default 50 ms doubling to 2 s.
   */
  readonly conflictBackoff?: ConflictBackoff;
  /** Reconnect policy when the process may still run (default 15 s doubling to 30 s within 270 s). */
  readonly reconnect?: ReconnectConfig;
  /** The server's replay buffer per stream, for exactly-once delivery (default 262144). */
  readonly ringBytes?: number;
  /**
   * How the server replays its buffer (default `'ring'`, the Go runner and the cloud): `'ring'`,
   * the whole buffer of a stream in one frame; `'chunks'` (`boxlite serve`), one frame per stored
   * chunk. A `ring` replay that only whole chunks explain switches an execution to `chunks`.
   * See docs/delivery.md.
   */
  readonly replayShape?: ReplayShape;
  /** Largest WebSocket message accepted, in bytes (`ws` only; default 100 MiB); see `AttachConfig`. Keep it above `ringBytes`. */
  readonly maxPayload?: number;
  /**
   * After an exit frame with a non-zero code, ask the status endpoint once why (`error_message`,
   * e.g. `spawn no-such-binary ENOENT`) and put it on the exit event's `message` (and so in
   * `ExecResult.exitMessage`); see `withExitReason`. Costs one `GET` per failed execution, and
   * holds the exit until it answers (at most `probeTimeout`). Default `false`.
   */
  readonly exitReason?: boolean;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<Omit<RunnerClientOptions, 'token' | 'pathPrefix' | 'fetch' | 'WebSocket' | 'maxPayload'>> &
  Pick<RunnerClientOptions, 'token' | 'pathPrefix' | 'fetch' | 'WebSocket' | 'maxPayload'>;

/** The timeouts in milliseconds, and their defaults. */
const TIMEOUT_DEFAULTS = { probeTimeout: 5_000, requestTimeout: 30_000, connectTimeout: 30_000, drainTimeout: 60_000, drainSettle: 5_000 };

/** The options kept as given, and only when given. */
const OPTIONAL_KEYS = ['token', 'pathPrefix', 'fetch', 'WebSocket', 'maxPayload'] as const;

/** The longest delay a timer can wait: past it, timers fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !(value <= MAX_TIMER_MS)) {
    throw new RangeError(`createRunnerClient: ${name} must be a positive number of milliseconds up to ${MAX_TIMER_MS}, got ${String(value)}`);
  }
  return value;
}

function byteCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new RangeError(`createRunnerClient: ${name} must be a positive integer number of bytes, got ${String(value)}`);
  }
}

function checkDelays(name: string, value: object | undefined, keys: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) throw new TypeError(`createRunnerClient: ${name} must be an object`);
  const record = value as Record<string, unknown>;
  for (const key of keys) {
    const delay = record[key];
    if (delay !== undefined && (typeof delay !== 'number' || !(delay >= 0) || !Number.isFinite(delay))) {
      throw new RangeError(`createRunnerClient: ${name}.${key} must be a number of milliseconds >= 0, got ${String(delay)}`);
    }
  }
  const { initialDelay, maxDelay } = record as { initialDelay?: number; maxDelay?: number };
  if (initialDelay !== undefined && maxDelay !== undefined && maxDelay < initialDelay) {
    throw new RangeError(`createRunnerClient: ${name}.maxDelay must be >= ${name}.initialDelay`);
  }
}

/** Validates the options up front and fills in the defaults. */
export function resolveOptions(options: RunnerClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('createRunnerClient: options must be an object');
  const { baseUrl, token, pathPrefix, webSocketAuth = 'header', idleTimeout = 'auto', ringBytes = DEFAULT_RING_BYTES, replayShape = 'ring' } = options;
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new TypeError(`createRunnerClient: baseUrl must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`createRunnerClient: baseUrl must use http or https, got ${parsed.protocol}`);
  }
  if (baseUrl.includes('?') || baseUrl.includes('#') || parsed.username !== '' || parsed.password !== '') {
    throw new TypeError('createRunnerClient: baseUrl must not carry a query, a fragment or credentials (use `token`)');
  }
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'function') {
    throw new TypeError('createRunnerClient: token must be a string or a function returning one');
  }
  if (token === '') throw new TypeError('createRunnerClient: token must not be empty');
  const problem = typeof token === 'string' ? tokenProblem(token) : undefined;
  if (problem !== undefined) throw new TypeError(`createRunnerClient: token cannot be sent as a bearer token: a token ${problem}`);
  if (pathPrefix !== undefined && typeof pathPrefix !== 'string') throw new TypeError('createRunnerClient: pathPrefix must be a string');
  if (webSocketAuth !== 'header' && webSocketAuth !== 'none') {
    throw new TypeError(`createRunnerClient: webSocketAuth must be 'header' or 'none', got ${String(webSocketAuth)}`);
  }
  if (idleTimeout !== 'auto' && idleTimeout !== false) positive('idleTimeout', idleTimeout, 1);
  for (const name of ['fetch', 'WebSocket'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`createRunnerClient: ${name} must be a function (a fetch implementation / a WebSocket constructor)`);
    }
  }
  checkDelays('conflictBackoff', options.conflictBackoff, ['initialDelay', 'maxDelay', 'deadline']);
  checkDelays('reconnect', options.reconnect, ['initialDelay', 'maxDelay', 'budget', 'healthyAfter']);
  byteCount('ringBytes', ringBytes);
  byteCount('maxPayload', options.maxPayload);
  if (options.exitReason !== undefined && typeof options.exitReason !== 'boolean') {
    throw new TypeError(`createRunnerClient: exitReason must be a boolean, got ${String(options.exitReason)}`);
  }
  if (replayShape !== 'ring' && replayShape !== 'chunks') {
    throw new TypeError(`createRunnerClient: replayShape must be 'ring' or 'chunks', got ${String(replayShape)}`);
  }
  const resolved: Record<string, unknown> = {
    baseUrl,
    webSocketAuth,
    idleTimeout,
    conflictBackoff: options.conflictBackoff ?? {},
    reconnect: options.reconnect ?? {},
    ringBytes,
    replayShape,
    exitReason: options.exitReason ?? false,
  };
  for (const [name, fallback] of Object.entries(TIMEOUT_DEFAULTS)) {
    resolved[name] = positive(name, options[name as keyof typeof TIMEOUT_DEFAULTS], fallback);
  }
  for (const name of OPTIONAL_KEYS) if (options[name] !== undefined) resolved[name] = options[name];
  return resolved as ResolvedOptions;
}
