import type { MarbleScenario } from './scenario.js';
import { chunkReplayFrameByFrame } from './case07-chunk-replay-frame-by-frame.js';
import { replayDecidedAtFirstFrame } from './case07-replay-decided-at-first-frame.js';
import { exitFrame, overlapUnknown, reconnecting, running, stdout } from './values.js';

/** The ring replay of `replayDecidedAtFirstFrame`, with the shape left to the client. */
export const replayShapeFoundRing: MarbleScenario = {
  ...replayDecidedAtFirstFrame,
  title: 'Replay shape found by itself: a ring',
  claim: "With `replayShape: 'auto'`, the reconnect's first frame holds both delivered frames and more: no stored chunk can, so it is a Go-runner ring, aligned exactly at that frame; the new bytes and the live ones after them leave at once, no notice.",
  timing: { replayShape: 'auto' },
};

/** The chunk replay of `chunkReplayFrameByFrame`, with the shape left to the client. */
export const replayShapeFoundChunks: MarbleScenario = {
  ...chunkReplayFrameByFrame,
  title: 'Replay shape found by itself: stored chunks',
  claim: "With `replayShape: 'auto'`, the reconnect's first frame is shorter than what was delivered: no ring replay is, so it is `boxlite serve`'s stored chunks; the run of delivered chunks (4392 distinct bytes) is skipped frame by frame and the new chunks leave at their own times, nothing twice.",
  timing: { replayShape: 'auto' },
};

export const replayShapeUnproven: MarbleScenario = {
  protocolCase: 7,
  title: 'Replay shape not yet proven',
  claim: "With `replayShape: 'auto'`, one delivered heartbeat replayed as one equal frame fits both servers (a ring with nothing new; serve's stored chunk, or a new one after a wrap): it is planned as chunks, so the frame comes again after a notice, never skipped in silence.",
  sockets: [
    { role: 'attach', marble: '-h-#',          error: 'cut', subscription: '^--!' },
    { role: 'attach', marble:          '-h----l-x|',         subscription: '----^-------!' },
  ],
  probes: [
    { marble: '-r|', subscription: '---^!' },
  ],
  expected: '-h--k(nh)-l-(x|)',
  values: {
    h: stdout('heartbeat ok\n'),
    l: stdout('done\n'),
    n: overlapUnknown('stdout', 13),
    r: running,
    k: reconnecting(1, 'cut', 0),
    x: exitFrame(0),
  },
  timing: { replayShape: 'auto' },
};
