/**
 * The two servers the emulator models, one record each: everything that differs between the Go
 * runner and `boxlite serve` (docs/protocol.md §2-4) is a column of {@link SERVERS}, so choosing a
 * server sets all of it together. A server-specific behaviour is added as a column here, read
 * where it acts; a server is added as a row.
 */

import type { ReplayShape } from '../../delivery/replayCursor.js';

/** The servers the emulator models: the Go runner (the cloud) and the local `boxlite serve`. */
export type EmulatedServer = 'runner' | 'serve';

/** Every emulated server, in the order the options and the CLI list them. */
export const EMULATED_SERVERS: readonly EmulatedServer[] = ['runner', 'serve'];

/**
 * How a server reads the attach query `stdin` (docs/protocol.md §7): `'serve'`, `boxlite serve`:
 * `0|1|false|true` (else 400), a read-only socket keeps the single slot and its writes are refused
 * (an error frame; a stdin frame also Close 1008); `'runner'`, the newer Go runner: only `false` is
 * read-only, such a socket takes no slot, its stdin frames are ignored and `stdin_eof` refused;
 * `'ignored'`, older runners: the parameter is ignored.
 */
export type ReadOnlyAttach = 'serve' | 'runner' | 'ignored';

/** Every reading of `stdin`, in the order the options list them. */
export const READ_ONLY_ATTACHES: readonly ReadOnlyAttach[] = ['serve', 'runner', 'ignored'];

/** What a server does its own way. */
export interface ServerProfile {
  /**
   * How output is stored per stream and replayed on every attach, in the client's words:
   * `'ring'`, a byte ring replayed as ONE frame per stream; `'chunks'`, a deque of whole chunks
   * (evicted whole from the front, the newest kept) replayed as one frame per stored chunk.
   */
  readonly replayShape: ReplayShape;
  /** The shape of its error bodies (see `errorBodies.ts`). */
  readonly errorShape: 'runner' | 'serve';
  /** The shape of its 401 bodies: the Go runner's come from its auth middleware. */
  readonly unauthorizedShape: 'auth' | 'serve';
  /** The Content-Type of its JSON bodies, answers and errors alike (gin's, axum's). */
  readonly jsonContentType: string;
  /** How it reads the attach query `stdin` (see {@link ReadOnlyAttach}). */
  readonly readOnlyAttach: ReadOnlyAttach;
  /** Whether it offers `GET /boxes/{boxId}/executions` (else 404 there). */
  readonly listsExecutions: boolean;
}

/** The servers, one record each. */
export const SERVERS: Readonly<Record<EmulatedServer, ServerProfile>> = {
  runner: {
    replayShape: 'ring',
    errorShape: 'runner',
    unauthorizedShape: 'auth',
    jsonContentType: 'application/json; charset=utf-8',
    readOnlyAttach: 'runner',
    listsExecutions: true,
  },
  serve: {
    replayShape: 'chunks',
    errorShape: 'serve',
    unauthorizedShape: 'serve',
    jsonContentType: 'application/json',
    readOnlyAttach: 'serve',
    listsExecutions: false,
  },
};

/** The server of each replay shape, read off {@link SERVERS}. */
const SERVER_REPLAYING = Object.fromEntries(EMULATED_SERVERS.map((server) => [SERVERS[server].replayShape, server])) as Readonly<
  Record<ReplayShape, EmulatedServer>
>;

/** The server whose replay shape is `shape`. */
export function serverReplaying(shape: ReplayShape): EmulatedServer {
  return SERVER_REPLAYING[shape];
}

/**
 * What the emulator's `replay` option (an alias of `server`) and the CLI's `--replay` take: a
 * replay shape, or its old spelling, `'single'` for `'ring'` and `'chunked'` for `'chunks'`.
 */
export type ReplayMode = ReplayShape | 'single' | 'chunked';

/** The replay shape each spelling names. */
export const REPLAY_SPELLINGS: Readonly<Record<ReplayMode, ReplayShape>> = {
  ring: 'ring',
  chunks: 'chunks',
  single: 'ring',
  chunked: 'chunks',
};
