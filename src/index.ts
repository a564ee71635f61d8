export { createRunnerClient, type RunnerClient } from './client/createRunnerClient.js';
export type { RunnerClientOptions } from './client/options.js';
export { isRecoverableAttachFailure } from './client/recoverable.js';

export { attach, type AttachConfig } from './observables/attach.js';
export { probe, type ProbeConfig, type ProbeResult } from './observables/probe.js';
export { reattach, type ConflictBackoff } from './observables/reattach.js';

export { drainOnTerminal, type DrainOnTerminalConfig } from './operators/drainOnTerminal.js';
export { reconnectWithBackoff, type ReconnectConfig, type ReconnectContext } from './operators/reconnectWithBackoff.js';
export { skipReplayed } from './operators/skipReplayed.js';
export { decodeUtf8, type DecodedEvent, type TextEvent } from './operators/decodeUtf8.js';
export { toExecResult, type ExecResult } from './operators/toExecResult.js';
export { withExitReason } from './operators/withExitReason.js';

export { ReplayCursor, DEFAULT_RING_BYTES, type ReplayShape } from './delivery/replayCursor.js';
export { alignRingReplay, type RingAlignment, type RingReplay } from './delivery/alignRing.js';
export { planChunkReplay, type ChunkPlan, type ChunkReplay } from './delivery/planChunkReplay.js';

export type { ExecEvent, StartedEvent, OutputEvent, ExitEvent, NoticeEvent, NoticeKind, ReconnectReason } from './events.js';
export type { AttachInput } from './transport/outbox.js';
export type { FetchLike } from './transport/http.js';
export type { TokenSource } from './transport/token.js';
export type { WebSocketConstructor, WebSocketLike } from './transport/webSocket.js';
export type { ExecRequest, ExecutionInfo, ExecutionStatus, OutputStream } from './protocol/types.js';

export {
  AttachDisconnectedError,
  AttachRejectedError,
  BoxliteError,
  BoxliteHttpError,
  ExecutionGoneError,
  ExecutionIdUnknownError,
  HttpStatusError,
  MissingPeerDependencyError,
  ReconnectBudgetExceededError,
  ReconnectRequiredError,
  TokenProviderError,
  isAttachDisconnectedError,
  isAttachRejectedError,
  isBoxliteError,
  isBoxliteHttpError,
  isExecutionGoneError,
  isExecutionIdUnknownError,
  isHttpStatusError,
  isMissingPeerDependencyError,
  isReconnectBudgetExceededError,
  isReconnectRequiredError,
  isTokenProviderError,
  type TokenProviderFailure,
} from './errors.js';
