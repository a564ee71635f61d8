/**
 * What the emulator reports as it happens, so tests can wait on an explicit event instead of
 * sleeping: `emulator.events.pipe(filter(e => e.type === 'evicted'), take(1))`.
 */

import type { ExecutionStatus, OutputStream } from '../../protocol/types.js';

/** Who sent a signal to an execution. */
export type SignalSource = 'rest' | 'attach' | 'orphan' | 'delete' | 'timeout';

/** One thing that happened inside the emulator. */
export type EmulatorEvent =
  /** `POST /exec` created an execution. */
  | { readonly type: 'exec'; readonly executionId: string; readonly boxId: string; readonly command: string }
  /**
   * An attach attempt was answered: `status` 101 or the refusal status (401 excluded); `stdin`, the
   * query parameter as sent, when given; `readOnly: true` when the server read it as read-only.
   */
  | {
      readonly type: 'attach';
      readonly executionId: string;
      readonly attempt: number;
      readonly status: number;
      readonly stdin?: string;
      readonly readOnly?: true;
    }
  /** The server noticed an attach socket is gone; `code` as `ws` reports it (1006: no Close frame). */
  | { readonly type: 'detach'; readonly executionId: string; readonly code: number }
  /** The attach slot is free again (after a detach, plus any `holdSlotMs`). */
  | { readonly type: 'slot-released'; readonly executionId: string }
  /** A signal was delivered. */
  | { readonly type: 'signal'; readonly executionId: string; readonly signal: number; readonly source: SignalSource }
  /** The client closed stdin (first `stdin_eof` only). */
  | { readonly type: 'stdin-eof'; readonly executionId: string }
  /** The execution became terminal. */
  | { readonly type: 'exit'; readonly executionId: string; readonly exitCode: number; readonly status: ExecutionStatus }
  /** The execution was evicted: every call now answers 404. */
  | { readonly type: 'evicted'; readonly executionId: string; readonly reason: 'retention' | 'delete' }
  /** A live chunk was dropped because the subscriber queue of an attach socket was full. */
  | { readonly type: 'dropped'; readonly executionId: string; readonly stream: OutputStream; readonly bytes: number };
