/**
 * `boxlite-rx/testing`: a BoxLite runner emulator (REST + attach WebSocket) for tests, the
 * demo and benchmarks. See {@link startRunnerEmulator}.
 */

export { startRunnerEmulator } from './emulator/server.js';
/** Stdin frames larger than this close the emulator's socket with 1009, like the runner's read limit. */
export { MAX_STDIN_FRAME_BYTES } from '../limits.js';
export type { RunnerEmulator } from './emulator/server.js';
export type { EmulatorOptions, RunnerEmulatorOptions, ExecutionIdInfo, ProcessQueueFull } from './emulator/options.js';
export type { EmulatedServer, ReadOnlyAttach, ReplayMode } from './emulator/servers.js';
export type { EmulatorStats } from './emulator/stats.js';
export type { EmulatorEvent, SignalSource } from './emulator/events.js';
export type { ExecutionView } from './emulator/execution.js';
export type {
  AttachFault,
  AttachFaultContext,
  AttachFaultProvider,
  CutFault,
  CutPoint,
  InjectedFrame,
} from './emulator/faults.js';
export { injectedFrame } from './emulator/faults.js';
export type { Script, ScriptStep, ScriptSource } from './emulator/scripted.js';
export type { OrphanGrace } from './emulator/orphans.js';
export type { Draining } from './emulator/draining.js';
export type { ErrorShape } from './emulator/errorBodies.js';
export { htmlStatusPage } from './emulator/errorBodies.js';
export { startCuttingProxy } from './cuttingProxy.js';
export type { CuttingProxy, CuttingProxyOptions, CuttingProxyStats, ProxiedAttach, ProxiedRequest } from './cuttingProxy.js';
export { startGateway } from './gateway.js';
export type { Gateway, GatewayOptions, GatewayStats } from './gateway.js';
