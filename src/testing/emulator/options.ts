/**
 * Options of {@link startRunnerEmulator}, their defaults, and their up-front validation with
 * `checkOptions.ts`: an unknown key, nested ones included, is a `TypeError` naming it.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { boolean, byteCount, checkKeys, integer, milliseconds, oneOf, optionalFunction } from '../../checkOptions.js';
import type { ReplayShape } from '../../delivery/replayCursor.js';
import type { ExecRequest } from '../../protocol/types.js';
import type { ErrorBodies, ErrorShape } from './errorBodies.js';
import { drainingCounts, type Draining } from './draining.js';
import type { AttachFaultProvider } from './faults.js';
import { DEFAULT_ORPHAN_GRACE, type OrphanGrace } from './orphans.js';
import { READS_PER_MS } from './pacedReads.js';
import { checkScript, type ScriptSource } from './scripted.js';
import { EMULATED_SERVERS, READ_ONLY_ATTACHES, REPLAY_SPELLINGS, SERVERS, serverReplaying, type EmulatedServer, type ReadOnlyAttach, type ReplayMode } from './servers.js';

/** Who the messages name. */
const OWNER = 'startRunnerEmulator';

/** What a custom execution-id generator learns about the execution. */
export interface ExecutionIdInfo {
  readonly boxId: string;
  readonly request: ExecRequest;
  /** 0 for the first execution of this emulator, then 1, 2, … */
  readonly sequence: number;
}

/** Options of the emulator. Every one is optional; an unknown key is a `TypeError`. */
export interface EmulatorOptions {
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
  /**
   * The server modelled, everything it does its own way at once (see `servers.ts`): its replay
   * shape, its error bodies and its content types. `'runner'`, the Go runner: a byte ring
   * replayed as one frame per stream, `{"error":"…"}` bodies and its auth middleware's
   * `{"statusCode":401,…}`; `'serve'`, `boxlite serve`: whole chunks replayed one frame each,
   * `{"error":{"message","type","code"}}` bodies. Default `'runner'`.
   */
  readonly server?: EmulatedServer;
  /**
   * An alias of {@link server} that names the server by its replay shape: `'ring'` (old spelling
   * `'single'`) is `'runner'`, `'chunks'` (old spelling `'chunked'`) is `'serve'`. Given with
   * `server`, it must name the same server.
   */
  readonly replay?: ReplayMode;
  /** Cap of the output kept per stream, oldest dropped first (whole chunks for `'serve'`). Default 262144. */
  readonly ringBytes?: number;
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
   * What a process's output read does while the attached client's queue is full: `'wait'` (the
   * read waits for room, so a client that stops reading holds the process back by its pipe) or
   * `'drop'` (the read goes on and the chunk is dropped and counted, as the runner does). Default
   * `'wait'`.
   */
  readonly processQueueFull?: ProcessQueueFull;
  /**
   * The pace of a process's output reads (1 KiB each), per stream: reads a millisecond, or
   * `'unpaced'` (whatever the pipe holds, at once). Default 5 (about 5 MB/s, the runner's pace).
   */
  readonly processReadsPerMs?: number | 'unpaced';
  /**
   * The error bodies, where they are not the server's own: `'proxy'` (what a reverse proxy
   * answers on its own) with either server, `'auth'` (every error in the runner's auth-middleware
   * shape) with the runner. `'runner'` and `'serve'` name a server's own bodies: an alias of
   * {@link server}, which must then agree. Default: the server's own.
   */
  readonly errorShape?: ErrorShape;
  /** Scripts by command name. */
  readonly scripts?: Readonly<Record<string, ScriptSource>>;
  /**
   * Start draining for a deploy (see `RunnerEmulator.setDraining`): `POST /exec` and attach
   * upgrades answer 503 `{"error":"runner is draining"}` (in the server's error shape), `true`
   * until turned off, or `{ execs, attaches }` for that many of each. Default `false`.
   */
  readonly draining?: Draining;
  /**
   * How attach reads the query `stdin` (docs/protocol.md §7, `servers.ts`): `'serve'` (`0|1|false|true`,
   * anything else 400; a read-only socket keeps the single slot; a stdin frame on it gets the error
   * frame `read_only_attach` and Close 1008 "read-only attach", `resize`/`signal`/`stdin_eof` the error
   * frame only), `'runner'` (only `false` is read-only: no slot, writer and observers side by side,
   * the orphan clock runs on, stdin frames ignored, `stdin_eof` refused with the error frame, resize and
   * signal honoured), `'ignored'` (older runners: a normal attach). Default: the server's own.
   */
  readonly readOnlyAttach?: ReadOnlyAttach;
  /**
   * Boxes with a main session, by box id: the script (a key of {@link scripts}) it runs, started
   * when the emulator starts, as an exec of that command. `GET /v1/boxes/{boxId}/attach` attaches
   * to it (the 101 carries `X-Boxlite-Execution-Id`), the id works on the execution routes, and the
   * orphan reaper never signals it. Default none: the box route answers 404.
   */
  readonly mainSessions?: Readonly<Record<string, string>>;
  /** Faults per attach attempt, used once an execution's own fault queue is empty. */
  readonly faults?: AttachFaultProvider;
  /** Execution ids. Default `exec-<uuid>`. A duplicate id makes `POST /exec` answer 409. */
  readonly generateExecutionId?: (info: ExecutionIdInfo) => string;
}

/** What a process's output read does while the attached client's queue is full. */
export type ProcessQueueFull = 'wait' | 'drop';

/**
 * The emulator's options under their old name.
 * @deprecated Use {@link EmulatorOptions}.
 */
export type RunnerEmulatorOptions = EmulatorOptions;

/** Every option, so that `checkKeys` knows them all and the compiler checks none is missing. */
const KNOWN: Readonly<Record<keyof EmulatorOptions, true>> = {
  host: true, allowNonLoopback: true, port: true, token: true, pathPrefix: true, boxes: true, server: true, replay: true,
  ringBytes: true, subscriberQueueChunks: true, pingIntervalMs: true, idleTimeoutMs: true, retentionMs: true,
  orphanGrace: true, slotHoldAfterExitMs: true, allowProcesses: true, processQueueFull: true, processReadsPerMs: true, errorShape: true, scripts: true, draining: true,
  readOnlyAttach: true, mainSessions: true, faults: true, generateExecutionId: true,
};
const GRACE_KEYS: Readonly<Record<keyof OrphanGrace, true>> = { hupMs: true, termMs: true, killMs: true };

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly pathPrefix: string | undefined;
  readonly prefixSegments: readonly string[];
  readonly boxes: ReadonlySet<string> | undefined;
  readonly server: EmulatedServer;
  /** The server's replay shape. */
  readonly replayShape: ReplayShape;
  readonly ringBytes: number;
  readonly subscriberQueueChunks: number;
  readonly pingIntervalMs: number;
  readonly idleTimeoutMs: number;
  readonly retentionMs: number;
  readonly orphanGrace: OrphanGrace;
  readonly slotHoldAfterExitMs: number;
  readonly allowProcesses: boolean;
  readonly processQueueFull: ProcessQueueFull;
  /** Reads a millisecond and stream; `Infinity` for `'unpaced'`. */
  readonly processReadsPerMs: number;
  readonly errorBodies: ErrorBodies;
  readonly scripts: Readonly<Record<string, ScriptSource>>;
  readonly draining: Draining;
  readonly readOnlyAttach: ReadOnlyAttach;
  /** Whether `GET /boxes/{boxId}/executions` is offered (the server's column). */
  readonly listsExecutions: boolean;
  readonly mainSessions: ReadonlyMap<string, string>;
  readonly faults: AttachFaultProvider | undefined;
  readonly generateExecutionId: (info: ExecutionIdInfo) => string;
}

/** Whether `host` names a loopback interface. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

const ERROR_SHAPES: readonly ErrorShape[] = ['runner', 'auth', 'serve', 'proxy'];

/** The server an error shape belongs to; `'proxy'` belongs to none. */
const ERROR_SHAPE_SERVER: Readonly<Record<ErrorShape, EmulatedServer | undefined>> = {
  runner: 'runner',
  auth: 'runner',
  serve: 'serve',
  proxy: undefined,
};

/** An option that names a server, by the value that names it. */
interface ServerNamed {
  readonly option: 'server' | 'replay' | 'errorShape';
  readonly value: string;
  readonly server: EmulatedServer;
  /** The values of this option that name each server (or none). */
  readonly allowed: (server: EmulatedServer) => readonly string[];
}

/**
 * The server modelled: `server`, or the one `replay` or `errorShape` names (their aliases); a
 * `TypeError` when two of them name different servers, so a `boxlite serve` emulator never
 * answers with runner bodies by accident.
 */
function chooseServer(options: EmulatorOptions, errorShape: ErrorShape | undefined): EmulatedServer {
  const named: ServerNamed[] = [];
  if (options.server !== undefined) {
    const server = oneOf(OWNER, 'server', options.server, EMULATED_SERVERS, 'runner');
    named.push({ option: 'server', value: server, server, allowed: (other) => [other] });
  }
  if (options.replay !== undefined) {
    const replay = oneOf(OWNER, 'replay', options.replay, Object.keys(REPLAY_SPELLINGS) as ReplayMode[], 'ring');
    named.push({
      option: 'replay',
      value: replay,
      server: serverReplaying(REPLAY_SPELLINGS[replay]),
      allowed: (server) => (Object.keys(REPLAY_SPELLINGS) as ReplayMode[]).filter((mode) => serverReplaying(REPLAY_SPELLINGS[mode]) === server),
    });
  }
  const shapeServer = errorShape === undefined ? undefined : ERROR_SHAPE_SERVER[errorShape];
  if (errorShape !== undefined && shapeServer !== undefined) {
    named.push({
      option: 'errorShape',
      value: errorShape,
      server: shapeServer,
      allowed: (server) => ERROR_SHAPES.filter((shape) => (ERROR_SHAPE_SERVER[shape] ?? server) === server),
    });
  }
  const [first, ...others] = named;
  if (first === undefined) return 'runner';
  for (const other of others) {
    if (other.server === first.server) continue;
    // Throws: the value names another server than the first option did.
    oneOf(OWNER, `${other.option} with ${first.option} '${first.value}'`, other.value, other.allowed(first.server), other.value);
  }
  return first.server;
}

/** The bodies the emulator answers errors with: the server's own unless `errorShape` overrides them. */
function errorBodiesOf(server: EmulatedServer, errorShape: ErrorShape | undefined): ErrorBodies {
  const profile = SERVERS[server];
  const override = errorShape === 'proxy' || errorShape === 'auth' ? errorShape : undefined;
  return {
    shape: override ?? profile.errorShape,
    unauthorizedShape: override ?? profile.unauthorizedShape,
    jsonContentType: profile.jsonContentType,
  };
}

/** The `mainSessions` option, checked: an object of script names that `scripts` holds. */
function mainSessionsOf(value: unknown, scripts: Readonly<Record<string, ScriptSource>>): ReadonlyMap<string, string> {
  if (value === undefined) return new Map();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${OWNER}: mainSessions must be an object of script names by box id, got ${String(value)}`);
  }
  for (const [boxId, script] of Object.entries(value)) {
    if (typeof script !== 'string' || !Object.hasOwn(scripts, script)) {
      throw new RangeError(`${OWNER}: mainSessions.${boxId} must be the name of a script, got ${String(script)}`);
    }
  }
  return new Map(Object.entries(value as Record<string, string>));
}

/** The `processReadsPerMs` option, checked: `Infinity` for `'unpaced'`. */
function readsPerMsOf(value: unknown): number {
  if (value === undefined) return READS_PER_MS;
  if (value === 'unpaced') return Infinity;
  if (Number.isSafeInteger(value) && (value as number) >= 1) return value as number;
  const E = typeof value === 'number' ? RangeError : TypeError;
  throw new E(`${OWNER}: processReadsPerMs must be an integer >= 1 or 'unpaced', got ${String(value)}`);
}

/** Applies defaults and validates, throwing a `TypeError`/`RangeError` naming the option. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  checkKeys(OWNER, 'options', options as unknown, Object.keys(KNOWN));
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '') throw new TypeError(`${OWNER}: host must be a non-empty string, got ${String(host)}`);
  const allowNonLoopback = boolean(OWNER, 'allowNonLoopback', options.allowNonLoopback, false);
  if (!isLoopbackHost(host) && !allowNonLoopback) {
    throw new RangeError(`${OWNER}: host must be a loopback address unless allowNonLoopback is true, got ${host}`);
  }
  const token = options.token ?? randomBytes(32).toString('hex');
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError(`${OWNER}: token must be a non-empty string of printable ASCII without spaces`);
  }
  const pathPrefix = options.pathPrefix;
  if (pathPrefix !== undefined && typeof pathPrefix !== 'string') {
    throw new TypeError(`${OWNER}: pathPrefix must be a string, got ${String(pathPrefix)}`);
  }
  const prefixSegments = (pathPrefix ?? '').split('/').filter((segment) => segment !== '');
  if (options.boxes !== undefined && !Array.isArray(options.boxes)) {
    throw new TypeError(`${OWNER}: boxes must be an array of box ids, got ${String(options.boxes)}`);
  }
  const scripts = options.scripts ?? {};
  if (typeof scripts !== 'object' || scripts === null || Array.isArray(scripts)) {
    throw new TypeError(`${OWNER}: scripts must be an object of scripts by command name, got ${String(scripts)}`);
  }
  for (const [command, script] of Object.entries(scripts)) if (typeof script !== 'function') checkScript(OWNER, `scripts.${command}`, script);
  const grace = options.orphanGrace ?? {};
  checkKeys(OWNER, 'orphanGrace', grace as unknown, Object.keys(GRACE_KEYS));
  const errorShape = options.errorShape === undefined ? undefined : oneOf(OWNER, 'errorShape', options.errorShape, ERROR_SHAPES, 'runner');
  const server = chooseServer(options, errorShape);
  const draining = options.draining ?? false;
  drainingCounts(OWNER, 'draining', draining);
  return {
    host,
    port: integer(OWNER, 'port', options.port, 0, 0, 65_535),
    token,
    pathPrefix: prefixSegments.length === 0 ? undefined : pathPrefix,
    prefixSegments,
    boxes: options.boxes === undefined ? undefined : new Set(options.boxes),
    server,
    replayShape: SERVERS[server].replayShape,
    ringBytes: byteCount(OWNER, 'ringBytes', options.ringBytes, 262_144),
    subscriberQueueChunks: integer(OWNER, 'subscriberQueueChunks', options.subscriberQueueChunks, 256, 1),
    pingIntervalMs: milliseconds(OWNER, 'pingIntervalMs', options.pingIntervalMs, 15_000),
    idleTimeoutMs: milliseconds(OWNER, 'idleTimeoutMs', options.idleTimeoutMs, 45_000),
    retentionMs: milliseconds(OWNER, 'retentionMs', options.retentionMs, 330_000, { zero: true }),
    orphanGrace: {
      hupMs: milliseconds(OWNER, 'orphanGrace.hupMs', grace.hupMs, DEFAULT_ORPHAN_GRACE.hupMs, { zero: true }),
      termMs: milliseconds(OWNER, 'orphanGrace.termMs', grace.termMs, DEFAULT_ORPHAN_GRACE.termMs, { zero: true }),
      killMs: milliseconds(OWNER, 'orphanGrace.killMs', grace.killMs, DEFAULT_ORPHAN_GRACE.killMs, { zero: true }),
    },
    slotHoldAfterExitMs: milliseconds(OWNER, 'slotHoldAfterExitMs', options.slotHoldAfterExitMs, 0, { zero: true }),
    allowProcesses: boolean(OWNER, 'allowProcesses', options.allowProcesses, false),
    processQueueFull: oneOf(OWNER, 'processQueueFull', options.processQueueFull, ['wait', 'drop'], 'wait'),
    processReadsPerMs: readsPerMsOf(options.processReadsPerMs),
    errorBodies: errorBodiesOf(server, errorShape),
    scripts,
    draining,
    readOnlyAttach: oneOf(OWNER, 'readOnlyAttach', options.readOnlyAttach, READ_ONLY_ATTACHES, SERVERS[server].readOnlyAttach),
    listsExecutions: SERVERS[server].listsExecutions,
    mainSessions: mainSessionsOf(options.mainSessions, scripts),
    faults: optionalFunction(OWNER, 'faults', options.faults, 'a function'),
    generateExecutionId:
      optionalFunction(OWNER, 'generateExecutionId', options.generateExecutionId, 'a function') ?? (() => `exec-${randomUUID()}`),
  };
}
