export { createRunnerClient, type RunnerClient } from './client/createRunnerClient.js';
export type { RunnerClientOptions } from './client/options.js';
export { isRecoverableAttachFailure } from './client/recoverable.js';

export { attach, type AttachConfig } from './observables/attach.js';
export { probe, type ProbeConfig, type ProbeResult } from './observables/probe.js';
export { reattach, type ConflictBackoff } from './observables/reattach.js';

export { drainOnTerminal, type DrainOnTerminalConfig } from './operators/drainOnTerminal.js';
export { reconnectWithBackoff, type ReconnectConfig } from './operators/reconnectWithBackoff.js';
export { skipReplayed } from './operators/skipReplayed.js';
export { decodeUtf8, type DecodedEvent, type TextEvent } from './operators/decodeUtf8.js';
export { toExecResult, type ExecResult } from './operators/toExecResult.js';

export { ReplayCursor, DEFAULT_RING_BYTES } from './delivery/replayCursor.js';
export { alignReplay, type Alignment, type AlignInput } from './delivery/alignReplay.js';

export type { ExecEvent, StartedEvent, OutputEvent, ExitEvent, NoticeEvent, NoticeKind } from './events.js';
export type { AttachInput } from './transport/outbox.js';
export type { FetchLike } from './transport/http.js';
export type { TokenSource } from './transport/token.js';
export type { WebSocketConstructor, WebSocketLike } from './transport/webSocket.js';
export type { ExecRequest, ExecutionInfo, ExecutionStatus, OutputStream } from './protocol/types.js';

export {
  AttachDisconnectedError,
  AttachRejectedError,
  BoxliteHttpError,
  ExecutionGoneError,
  ReconnectBudgetExceededError,
  ReconnectRequiredError,
  isAttachDisconnectedError,
  isAttachRejectedError,
  isBoxliteHttpError,
  isExecutionGoneError,
  isReconnectBudgetExceededError,
  isReconnectRequiredError,
} from './errors.js';
