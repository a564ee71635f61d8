/**
 * Fault injection for the attach WebSocket: what a proxy, a load balancer or a failing
 * runner can do to one attach attempt. A fault is chosen per attempt (see
 * {@link AttachFaultContext}) and its fields combine.
 */

import { encodeErrorFrame } from '../../protocol/frames.js';

/** Where an injected cut happens. */
export type CutPoint =
  /** Right after the 101 (and after any `inject` frames), before the replay. */
  | 'upgrade'
  /** After the whole replay was written, before any live frame. */
  | 'replay'
  /** When the exit frame is due: all output was sent, the exit frame never is. */
  | 'before-exit'
  /**
   * After this many output payload bytes (channel bytes excluded) left the server: the frame that
   * crosses the count is cut in the middle on the wire (with `how: 'close'`, not sent at all), so
   * the client receives only the whole frames before it, as over a real connection.
   */
  | { readonly outputBytes: number };

/** Cuts the attach socket at a given point. */
export interface CutFault {
  /** Where to cut. */
  readonly after: CutPoint;
  /**
   * How the socket is cut:
   * - `'destroy'` (default): a TCP cut both sides notice (FIN or RST), no Close frame; the server
   *   frees the slot at once.
   * - `'close'`: a Close frame with {@link code}.
   * - `'half-open'`: a silent cut that reaches neither side. From the cut point the server writes
   *   nothing (no frame, no ping) and reads nothing (no stdin, control message, pong, Close or FIN
   *   of the client reaches it), yet never closes the TCP connection itself. It notices the loss
   *   only at its idle deadline, `idleTimeoutMs` after the last message, ping or pong it received,
   *   and holds the attach slot until then (a re-attach gets 409); then it drops the socket
   *   (counted in `idleTimeouts`) and frees the slot. The client sees silence: its own watchdog,
   *   or the test, ends its side.
   */
  readonly how?: 'destroy' | 'close' | 'half-open';
  /** Close code for `how: 'close'`. Default 1001. */
  readonly code?: number;
  /**
   * Once the server noticed the cut (at once, or at the idle deadline for `'half-open'`), keep
   * the attach slot this much longer, so new attaches get 409. Default 0.
   */
  readonly holdSlotMs?: number;
}

/** A corrupt or unusual frame sent right after the upgrade, before the replay. */
export type InjectedFrame =
  | 'unknown-channel'
  | 'empty-binary'
  | 'invalid-json'
  | 'unknown-type'
  | 'exit-without-code'
  | 'exit-non-integer'
  | 'error-frame';

/** What happens to one attach attempt. All fields are optional and combine. */
export interface AttachFault {
  /** Answer the upgrade with this HTTP status instead of 101. `body` defaults to a small nginx-like HTML page. */
  readonly reject?: { readonly status: number; readonly body?: string };
  /** Cut the socket at a point of the stream. */
  readonly cut?: CutFault;
  /** Send replay and live output but never the exit frame; the socket stays open until the client closes it. */
  readonly suppressExit?: boolean;
  /** Delay every frame (injected, replay, live, exit) by this many ms. */
  readonly frameLatencyMs?: number;
  /** Send no frame at all before this many ms (pings excepted): a silent command. */
  readonly firstFrameDelayMs?: number;
  /** Frames sent right after the upgrade, before the replay, in this order. */
  readonly inject?: readonly InjectedFrame[];
}

/** What a fault provider learns about an attach attempt. */
export interface AttachFaultContext {
  readonly executionId: string;
  readonly boxId: string;
  readonly command: string;
  /** 0 for the first attach attempt of this execution, then 1, 2, … */
  readonly attempt: number;
}

/** Chooses a fault for each attach attempt; `undefined` means a healthy attach. */
export type AttachFaultProvider = (context: AttachFaultContext) => AttachFault | undefined;

/** The exact frame sent for an {@link InjectedFrame}: binary as `Uint8Array`, text as `string`. */
export function injectedFrame(kind: InjectedFrame): Uint8Array | string {
  switch (kind) {
    case 'unknown-channel':
      return Uint8Array.of(0x03, 0x78);
    case 'empty-binary':
      return new Uint8Array(0);
    case 'invalid-json':
      return '{"type":"exit",';
    case 'unknown-type':
      return '{"type":"progress","value":1}';
    case 'exit-without-code':
      return '{"type":"exit"}';
    case 'exit-non-integer':
      return '{"type":"exit","exit_code":1.5}';
    case 'error-frame':
      return encodeErrorFrame('injected error frame');
  }
}
