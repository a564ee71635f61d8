/**
 * Live counters of a running emulator, for assertions and benchmarks.
 */

/** Counters since the emulator started. They only grow, except `running` and `openSockets`. */
export interface EmulatorStats {
  /** Executions created by `POST /exec`. */
  readonly executions: number;
  /** Executions not yet terminal. */
  readonly running: number;
  /** Executions evicted (retention elapsed or `DELETE`). */
  readonly evictions: number;
  /** REST requests received (upgrades excluded). */
  readonly restRequests: number;
  /** Requests (REST or upgrade) refused with 401. */
  readonly unauthorized: number;
  /** Authenticated upgrade requests for an existing execution. */
  readonly attachAttempts: number;
  /** Upgrades completed with 101. */
  readonly attaches: number;
  /** Upgrades refused with 409, because the slot was taken or by a fault. */
  readonly rejected409: number;
  /** Upgrades refused by an `AttachFault.reject`. */
  readonly rejectedByFault: number;
  /** `POST /exec` and upgrades refused with 503 while draining (`setDraining`). */
  readonly drainingRefusals: number;
  /** Sockets cut by an `AttachFault.cut`. */
  readonly cuts: number;
  /** Sockets dropped because the peer was silent for `idleTimeoutMs`. */
  readonly idleTimeouts: number;
  /** Live output chunks dropped because a subscriber queue was full. */
  readonly droppedChunks: number;
  /** Payload bytes of those dropped chunks. */
  readonly droppedBytes: number;
  /** Data frames written to attach sockets (pings excluded). */
  readonly framesSent: number;
  /** Bytes of those frames as handed to `ws.send` (channel byte included, WebSocket framing excluded). */
  readonly bytesSent: number;
  /** Stdin bytes received from clients for the command (the start gate line a scripted command waits behind is not counted). */
  readonly stdinBytes: number;
  /** Attach sockets currently open. */
  readonly openSockets: number;
  /** Read-only attach sockets opened (query `stdin` read as read-only; see the `readOnlyAttach` option). */
  readonly readOnlyAttaches: number;
  /** Binary (stdin) frames received on read-only sockets: refused (`serve`) or ignored (`runner`), never written. */
  readonly readOnlyStdinFrames: number;
  /** `stdin_eof` messages received on read-only sockets (refused with an error frame). */
  readonly readOnlyStdinEofs: number;
  /** `resize` messages received on read-only sockets (refused on `serve`, honoured on `runner`). */
  readonly readOnlyResizes: number;
  /** `signal` messages received on read-only sockets (refused on `serve`, honoured on `runner`). */
  readonly readOnlySignals: number;
}

/** The writable form the emulator updates. */
export type MutableStats = { -readonly [K in keyof EmulatorStats]: number };

/** Fresh zeroed counters. */
export function createStats(): MutableStats {
  return {
    executions: 0,
    running: 0,
    evictions: 0,
    restRequests: 0,
    unauthorized: 0,
    attachAttempts: 0,
    attaches: 0,
    rejected409: 0,
    rejectedByFault: 0,
    drainingRefusals: 0,
    cuts: 0,
    idleTimeouts: 0,
    droppedChunks: 0,
    droppedBytes: 0,
    framesSent: 0,
    bytesSent: 0,
    stdinBytes: 0,
    openSockets: 0,
    readOnlyAttaches: 0,
    readOnlyStdinFrames: 0,
    readOnlyStdinEofs: 0,
    readOnlyResizes: 0,
    readOnlySignals: 0,
  };
}
