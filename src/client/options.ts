import { boolean, byteCount, checkKeys, delays, keysOf, milliseconds, oneOf, optionalFunction } from '../checkOptions.js';
import { DEFAULT_RING_BYTES, type ReplayShapeOption } from '../delivery/replayCursor.js';
import { ShapeFinding } from '../delivery/shapeFinding.js';
import { REFUSED_BACKOFF } from '../limits.js';
import { CONFLICT_DEFAULTS, type ConflictBackoff } from '../observables/reattach.js';
import { RECONNECT_DEFAULTS, type ReconnectConfig } from '../operators/reconnectWithBackoff.js';
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
  /**
   * Milliseconds `exec` waits out a runner draining for a deploy: its `POST /exec` answered 503
   * `{"error":"runner is draining"}` (nothing created) is sent again, 500 ms doubling to 5 s, each
   * wait announced by a `server-draining` notice (default 60000; `false` or 0: not waited out).
   */
  readonly drainingWait?: number | false;
  /** Reconnect policy when the process may still run (default 15 s doubling to 30 s within 270 s). */
  readonly reconnect?: ReconnectConfig;
  /**
   * After a cut of a socket that made progress, open the next socket while the status probe is in
   * flight, so the upgrade's round trips overlap the probe's (default `true`). It is used if the
   * probe says the process runs or ended, and closed unused if it says gone or unavailable.
   * `false`: the next socket is opened only once the probe answered, one upgrade per probe.
   */
  readonly preconnect?: boolean;
  /** The server's replay buffer per stream, for exactly-once delivery (default 262144). */
  readonly ringBytes?: number;
  /**
   * How the server replays its buffer: `'auto'` (default), found from the frames, once per client;
   * `'ring'` (the Go runner, the cloud), the whole buffer of a stream in one frame; `'chunks'`
   * (`boxlite serve`), one frame per stored chunk. A replay that only whole chunks explain switches
   * a `'ring'` execution to `chunks`. See docs/delivery.md, "The shape found by itself".
   */
  readonly replayShape?: ReplayShapeOption;
  /** Largest WebSocket message accepted, in bytes (`ws` only; default 100 MiB); see `AttachConfig`. Keep it above `ringBytes`. */
  readonly maxPayload?: number;
  /**
   * After an exit frame with a non-zero code, ask the status endpoint once why (`error_message`,
   * e.g. `spawn no-such-binary ENOENT`) and put it on the exit event's `message` (and so in
   * `ExecResult.exitMessage`); see `withExitReason`. Costs one `GET` per failed execution, and
   * holds the exit until it answers (at most `probeTimeout`). Default `false`.
   */
  readonly exitReason?: boolean;
  /** Hand the host's loss markers on as output instead of `output-lost` notices; see `skipReplayed` (default `false`). */
  readonly keepLossMarkers?: boolean;
  /**
   * Start a non-TTY `exec`'s command behind a small `sh` wrapper that waits for a line the client
   * sends once its socket is attached, so its output is whole from the first byte (default `true`).
   * An `exec` that ends before it saw a byte or the exit deletes the execution. See docs/delivery.md, "Start gate".
   */
  readonly startGate?: boolean;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<Omit<RunnerClientOptions, 'token' | 'pathPrefix' | 'fetch' | 'WebSocket' | 'maxPayload' | 'conflictBackoff' | 'reconnect'>> &
  Pick<RunnerClientOptions, 'token' | 'pathPrefix' | 'fetch' | 'WebSocket' | 'maxPayload' | 'conflictBackoff'> & {
    /** With `replayShape: 'auto'`: the client's one finding, shared by its executions. */
    readonly shapes?: ShapeFinding;
    /** `reconnect`, checked, with its defaults. */
    readonly reconnect: typeof RECONNECT_DEFAULTS;
    /** `conflictBackoff`'s delays, checked: the reconnect's backoff after a refused connect. */
    readonly refused: { readonly [K in keyof typeof REFUSED_BACKOFF]: number };
  };

const OWNER = 'createRunnerClient';

/** Every key of `RunnerClientOptions`: the compiler checks that the table names each one. */
const OPTION_KEYS = /* @__PURE__ */ keysOf<RunnerClientOptions>({
  baseUrl: true,
  token: true,
  pathPrefix: true,
  fetch: true,
  WebSocket: true,
  webSocketAuth: true,
  probeTimeout: true,
  requestTimeout: true,
  connectTimeout: true,
  idleTimeout: true,
  drainTimeout: true,
  drainSettle: true,
  conflictBackoff: true,
  drainingWait: true,
  reconnect: true,
  preconnect: true,
  ringBytes: true,
  replayShape: true,
  maxPayload: true,
  exitReason: true,
  keepLossMarkers: true,
  startGate: true,
});

/** The defaults of the timeouts (milliseconds) and of the switches. */
const DEFAULTS = {
  probeTimeout: 5_000,
  requestTimeout: 30_000,
  connectTimeout: 30_000,
  drainTimeout: 60_000,
  drainSettle: 5_000,
  exitReason: false,
  preconnect: true,
  keepLossMarkers: false,
  startGate: true,
} as const;

/** Validates the options up front and fills in the defaults. */
export function resolveOptions(options: RunnerClientOptions): ResolvedOptions {
  checkKeys(OWNER, 'options', options, OPTION_KEYS);
  const { baseUrl, token, pathPrefix, idleTimeout = 'auto', conflictBackoff = {}, reconnect = {} } = options;
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new TypeError(`${OWNER}: baseUrl must be an absolute http(s) URL, got ${JSON.stringify(baseUrl)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`${OWNER}: baseUrl must use http or https, got ${parsed.protocol}`);
  }
  if (baseUrl.includes('?') || baseUrl.includes('#') || parsed.username !== '' || parsed.password !== '') {
    throw new TypeError(`${OWNER}: baseUrl must not carry a query, a fragment or credentials (use \`token\`)`);
  }
  if (token !== undefined && typeof token !== 'string' && typeof token !== 'function') {
    throw new TypeError(`${OWNER}: token must be a string or a function returning one`);
  }
  if (token === '') throw new TypeError(`${OWNER}: token must not be empty`);
  const problem = typeof token === 'string' ? tokenProblem(token) : undefined;
  if (problem !== undefined) throw new TypeError(`${OWNER}: token cannot be sent as a bearer token: a token ${problem}`);
  if (pathPrefix !== undefined && typeof pathPrefix !== 'string') throw new TypeError(`${OWNER}: pathPrefix must be a string`);
  const webSocketAuth = oneOf(OWNER, 'webSocketAuth', options.webSocketAuth, ['header', 'none'], 'header');
  if (idleTimeout !== 'auto' && idleTimeout !== false) milliseconds(OWNER, 'idleTimeout', idleTimeout, 0);
  for (const name of ['fetch', 'WebSocket'] as const) {
    optionalFunction(OWNER, name, options[name], 'a function (a fetch implementation / a WebSocket constructor)');
  }
  // The nested policies are checked by the function their operators check them with; the checked
  // (frozen) ones are what the operators get, so they are not checked again for each execution.
  const { initialDelay, maxDelay } = delays(OWNER, 'conflictBackoff', conflictBackoff, CONFLICT_DEFAULTS);
  byteCount(OWNER, 'maxPayload', options.maxPayload, 0);
  const replayShape = oneOf(OWNER, 'replayShape', options.replayShape, ['auto', 'ring', 'chunks'], 'auto');
  const resolved = {
    ...options,
    webSocketAuth,
    idleTimeout,
    refused: delays(OWNER, 'conflictBackoff', { initialDelay, maxDelay }, REFUSED_BACKOFF),
    drainingWait: options.drainingWait === false ? 0 : milliseconds(OWNER, 'drainingWait', options.drainingWait, 60_000, { zero: true }),
    reconnect: delays(OWNER, 'reconnect', reconnect, RECONNECT_DEFAULTS),
    ringBytes: byteCount(OWNER, 'ringBytes', options.ringBytes, DEFAULT_RING_BYTES),
    replayShape,
    ...(replayShape === 'auto' && { shapes: new ShapeFinding() }),
  } as Record<string, unknown>;
  for (const [name, fallback] of Object.entries(DEFAULTS)) {
    const value = options[name as keyof typeof DEFAULTS];
    resolved[name] = typeof fallback === 'number' ? milliseconds(OWNER, name, value, fallback) : boolean(OWNER, name, value, fallback);
  }
  return resolved as ResolvedOptions;
}
