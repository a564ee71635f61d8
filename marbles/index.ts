/** Every scenario, in the order of docs/protocol.md §6. */
import { clean } from './case01-clean.js';
import { cutBeforeAnyFrame } from './case02-cut-before-any-frame.js';
import { cutMidStream } from './case03-cut-mid-stream.js';
import { reattachEvicted } from './case04-reattach-evicted.js';
import { reattachUnauthorized } from './case04-reattach-unauthorized.js';
import { reattachConflict } from './case05-reattach-conflict.js';
import { reattachUnknownRefusal } from './case05-reattach-unknown-refusal.js';
import { reconnectConflict } from './case05-reconnect-conflict.js';
import { drainCutAndDrainedAgain } from './case06-drain-cut-and-drained-again.js';
import { drainNoExitSettles } from './case06-drain-no-exit-settles.js';
import { drainCutAfterReplay } from './case06-drain-cut-after-replay.js';
import { reattachCutAgain } from './case06-reattach-cut-again.js';
import { reattachNeverExits } from './case06-reattach-never-exits.js';
import { chunkReplayFrameByFrame, chunkReplayShortRun } from './case07-chunk-replay-frame-by-frame.js';
import { probeRunning } from './case07-probe-running.js';
import { reconnectForbidden } from './case07-reconnect-forbidden.js';
import { replayDecidedAtFirstFrame } from './case07-replay-decided-at-first-frame.js';
import { replayShapeFoundChunks, replayShapeFoundRing, replayShapeUnproven } from './case07-replay-shape-found.js';
import { probeGone } from './case08-probe-gone.js';
import { probeUnavailable } from './case08-probe-unavailable.js';
import { tokenProviderFailure } from './case08-token-provider-failure.js';
import { firstConnect502 } from './case09-first-connect-502.js';
import { firstConnectNeverAccepted } from './case09-first-connect-never-accepted.js';
import { silentCommand } from './case10-silent-command.js';
import { errorAndMalformedFrames } from './case11-error-and-malformed-frames.js';
import { unsubscribeDuringAttach, unsubscribeDuringProbe, unsubscribeDuringReattach } from './case12-unsubscribe.js';
import { firstAttachFullRing, firstAttachShortRing } from './case14-first-attach-full-ring.js';
import { startGateFirstSocket, ungatedFirstSocket } from './case14-start-gate.js';
import { wrappedRingChanceOverlap } from './case14-wrapped-ring-chance-overlap.js';
import { recycledSockets } from './case15-recycled-sockets.js';
import { hostLossMarker } from './case16-host-loss-marker.js';
import { joinedChunkReplay, joinedLossMarker, joinedRingReplay } from './case18-joined-reads.js';
import { mainSessionHeadersHidden, mainSessionRefused, mainSessionThroughCut, observeThroughCut } from './case17-observers.js';
import { reconnectBudgetExceeded } from './reconnect-budget-exceeded.js';
import { reconnectNeverAccepted } from './reconnect-never-accepted.js';
import type { MarbleScenario } from './scenario.js';

export type { MarbleScenario, ProbeLane, ScenarioTiming, SocketLane } from './scenario.js';

export const scenarios: Readonly<Record<string, MarbleScenario>> = {
  clean,
  cutBeforeAnyFrame,
  cutMidStream,
  reattachEvicted,
  reattachUnauthorized,
  reattachConflict,
  reattachUnknownRefusal,
  reconnectConflict,
  reattachCutAgain,
  reattachNeverExits,
  drainCutAfterReplay,
  drainNoExitSettles,
  drainCutAndDrainedAgain,
  probeRunning,
  reconnectForbidden,
  replayDecidedAtFirstFrame,
  chunkReplayFrameByFrame,
  chunkReplayShortRun,
  replayShapeFoundRing,
  replayShapeFoundChunks,
  replayShapeUnproven,
  probeUnavailable,
  tokenProviderFailure,
  probeGone,
  firstConnect502,
  firstConnectNeverAccepted,
  silentCommand,
  errorAndMalformedFrames,
  unsubscribeDuringAttach,
  unsubscribeDuringProbe,
  unsubscribeDuringReattach,
  wrappedRingChanceOverlap,
  firstAttachFullRing,
  firstAttachShortRing,
  startGateFirstSocket,
  ungatedFirstSocket,
  recycledSockets,
  hostLossMarker,
  joinedChunkReplay,
  joinedRingReplay,
  joinedLossMarker,
  observeThroughCut,
  mainSessionThroughCut,
  mainSessionHeadersHidden,
  mainSessionRefused,
  reconnectBudgetExceeded,
  reconnectNeverAccepted,
};
