/**
 * Options of {@link startRunnerEmulator}, their defaults, and their up-front validation.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import type { ExecRequest } from '../../protocol/types.js';
import type { ErrorShape } from './errorBodies.js';
import type { AttachFaultProvider } from './faults.js';
import { DEFAULT_ORPHAN_GRACE, type OrphanGrace } from './orphans.js';
import type { ScriptSource } from './scripted.js';

/** The server modelled: how output is stored per stream, and replayed on every attach (docs/protocol.md §4). */
export type ReplayMode =
  /** The Go runner: a byte ring of the last `ringBytes` bytes, replayed as ONE frame per stream. */
  | 'single'
  /**
   * `boxlite serve`: a deque of whole chunks of at most `ringBytes` in total (whole chunks are
   * dropped from the front, the newest is kept even if larger), replayed as one frame per chunk.
   */
  | 'chunked';

/** What a custom execution-id generator learns about the execution. */
export interface ExecutionIdInfo {
  readonly boxId: string;
  readonly request: ExecRequest;
  /** 0 for the first execution of this emulator, then 1, 2, … */
  readonly sequence: number;
}

/** Options of the runner emulator. Every one is optional. */
export interface RunnerEmulatorOptions {
  /** Interface to listen on. Default `'127.0.0.1'`; a non-loopback host needs {@link allowNonLoopback}. */
  readonly host?: string;
  /** Accept a non-loopback {@link host}. Default false. */
  readonly allowNonLoopback?: boolean;
  /** Port; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** The bearer token accepted. Default: 32 random bytes, hex. */
  readonly token?: string;
  /** Tenant segment(s) after `/v1` (may contain `/`). Default none. */
  readonly pathPrefix?: string;
  /** Known box ids; `POST /exec` on another box answers 404. Default: every box id is accepted. */
  readonly boxes?: readonly string[];
  /** Cap of the output kept per stream, oldest dropped first (whole chunks in `'chunked'` mode). Default 262144. */
  readonly ringBytes?: number;
  /** Output store and replay framing: the Go runner (`'single'`) or `boxlite serve` (`'chunked'`). Default `'single'`. */
  readonly replay?: ReplayMode;
  /** Live chunks queued per attached socket; beyond that they are dropped and counted. Default 256. */
  readonly subscriberQueueChunks?: number;
  /** WebSocket ping period. Default 15000. */
  readonly pingIntervalMs?: number;
  /**
   * Drop an attached peer that sent nothing (not even a pong) for this long; also when the server
   * notices a half-open cut (`cut.how: 'half-open'`). Default 45000.
   */
  readonly idleTimeoutMs?: number;
  /** Keep a terminal execution this long, then evict it (404). Default 330000. */
  readonly retentionMs?: number;
  /** Orphan reaping delays (partial objects are merged over the defaults). Default 300000/30000/30000. */
  readonly orphanGrace?: Partial<OrphanGrace>;
  /**
   * After the exit frame and the server's Close 1000, wait this long for the client's Close while
   * holding the slot (a newer runner: 5000), then end the connection. Default 0 (the Go runner):
   * end it as soon as the Close is written.
   */
  readonly slotHoldAfterExitMs?: number;
  /** Spawn real child processes for commands that are not scripts. Default false. */
  readonly allowProcesses?: boolean;
  /**
   * Shape of error bodies. Default `'runner'`: the Go runner's `{"error":"…"}`, and its auth
   * middleware's `{"statusCode":401,…}` for a missing or wrong token.
   */
  readonly errorShape?: ErrorShape;
  /** Scripts by command name. */
  readonly scripts?: Readonly<Record<string, ScriptSource>>;
  /** Faults per attach attempt, used once an execution's own fault queue is empty. */
  readonly faults?: AttachFaultProvider;
  /** Execution ids. Default `exec-<uuid>`. A duplicate id makes `POST /exec` answer 409. */
  readonly generateExecutionId?: (info: ExecutionIdInfo) => string;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly pathPrefix: string | undefined;
  readonly prefixSegments: readonly string[];
  readonly boxes: ReadonlySet<string> | undefined;
  readonly ringBytes: number;
  readonly replay: ReplayMode;
  readonly subscriberQueueChunks: number;
  readonly pingIntervalMs: number;
  readonly idleTimeoutMs: number;
  readonly retentionMs: number;
  readonly orphanGrace: OrphanGrace;
  readonly slotHoldAfterExitMs: number;
  readonly allowProcesses: boolean;
  readonly errorShape: ErrorShape;
  readonly scripts: Readonly<Record<string, ScriptSource>>;
  readonly faults: AttachFaultProvider | undefined;
  readonly generateExecutionId: (info: ExecutionIdInfo) => string;
}

/** Whether `host` names a loopback interface. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function duration(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(`runner emulator option ${name} must be a finite number >= ${min}, got ${String(value)}`);
  }
  return value;
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`runner emulator option ${name} must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw new TypeError(`runner emulator option ${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return value;
}

/** Applies defaults and validates, throwing a `TypeError`/`RangeError` naming the option. */
export function resolveOptions(options: RunnerEmulatorOptions = {}): ResolvedOptions {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new TypeError('runner emulator option host must be a non-empty string');
  if (!isLoopbackHost(host) && options.allowNonLoopback !== true) {
    throw new RangeError(`runner emulator option host ${host} is not a loopback address; set allowNonLoopback: true to listen on it`);
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`runner emulator option port must be an integer in 0..65535, got ${String(port)}`);
  }
  const token = options.token ?? randomBytes(32).toString('hex');
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError('runner emulator option token must be a non-empty string of printable ASCII without spaces');
  }
  const pathPrefix = options.pathPrefix;
  if (pathPrefix !== undefined && typeof pathPrefix !== 'string') {
    throw new TypeError('runner emulator option pathPrefix must be a string');
  }
  const prefixSegments = (pathPrefix ?? '').split('/').filter((segment) => segment !== '');
  if (options.boxes !== undefined && !Array.isArray(options.boxes)) {
    throw new TypeError('runner emulator option boxes must be an array of box ids');
  }
  const faults = options.faults;
  if (faults !== undefined && typeof faults !== 'function') {
    throw new TypeError('runner emulator option faults must be a function');
  }
  const grace = options.orphanGrace ?? {};
  return {
    host,
    port,
    token,
    pathPrefix: prefixSegments.length === 0 ? undefined : pathPrefix,
    prefixSegments,
    boxes: options.boxes === undefined ? undefined : new Set(options.boxes),
    ringBytes: count('ringBytes', options.ringBytes, 262_144),
    replay: oneOf('replay', options.replay, ['single', 'chunked'], 'single'),
    subscriberQueueChunks: count('subscriberQueueChunks', options.subscriberQueueChunks, 256),
    pingIntervalMs: duration('pingIntervalMs', options.pingIntervalMs, 15_000, 1),
    idleTimeoutMs: duration('idleTimeoutMs', options.idleTimeoutMs, 45_000, 1),
    retentionMs: duration('retentionMs', options.retentionMs, 330_000),
    orphanGrace: {
      hupMs: duration('orphanGrace.hupMs', grace.hupMs, DEFAULT_ORPHAN_GRACE.hupMs),
      termMs: duration('orphanGrace.termMs', grace.termMs, DEFAULT_ORPHAN_GRACE.termMs),
      killMs: duration('orphanGrace.killMs', grace.killMs, DEFAULT_ORPHAN_GRACE.killMs),
    },
    slotHoldAfterExitMs: duration('slotHoldAfterExitMs', options.slotHoldAfterExitMs, 0),
    allowProcesses: options.allowProcesses === true,
    errorShape: oneOf('errorShape', options.errorShape, ['runner', 'auth', 'serve', 'proxy'], 'runner'),
    scripts: options.scripts ?? {},
    faults,
    generateExecutionId: options.generateExecutionId ?? (() => `exec-${randomUUID()}`),
  };
}
