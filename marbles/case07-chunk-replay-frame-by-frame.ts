import type { MarbleScenario } from './scenario.js';
import { exitFrame, numberedLines, overlapUnknown, reconnecting, running, stdout } from './values.js';

export const chunkReplayFrameByFrame: MarbleScenario = {
  protocolCase: 7,
  title: 'Chunk-shape replay, frame by frame',
  claim: 'A `boxlite serve` reconnect resends its stored chunks one frame each: the run of delivered chunks, 4392 distinct bytes (enough to prove the overlap), is skipped, and the new chunk and the live one after it each leave at their own frame time, nothing twice.',
  sockets: [
    { role: 'attach', marble: '-a-b-#',          error: 'cut', subscription: '^----!' },
    { role: 'attach', marble:            '-abc--d-x|',         subscription: '------^-------!' },
  ],
  probes: [
    { marble: '-r|', subscription: '-----^!' },
  ],
  expected: '-a-b--k--c--d-(x|)',
  values: {
    a: stdout(numberedLines(1, 250)),
    b: stdout(numberedLines(251, 500)),
    c: stdout('c3\n'),
    d: stdout('d4\n'),
    r: running,
    k: reconnecting(1, 'cut', 0),
    x: exitFrame(0),
  },
  timing: { replayShape: 'chunks' },
};

export const chunkReplayShortRun: MarbleScenario = {
  protocolCase: 7,
  title: 'Chunk-shape replay of a short run',
  claim: 'Delivered chunks too short to prove the overlap (4 bytes, under 4096: a new chunk can repeat an old one) are not skipped: a notice at the first frame, then every replayed frame at its own frame time, nothing held.',
  sockets: [
    { role: 'attach', marble: '-a-b-#',          error: 'cut', subscription: '^----!' },
    { role: 'attach', marble:            '-a---bc--d-x|',      subscription: '------^----------!' },
  ],
  probes: [
    { marble: '-r|', subscription: '-----^!' },
  ],
  expected: '-a-b--k(na)bc--d-(x|)',
  values: {
    a: stdout('a1'),
    b: stdout('b2'),
    c: stdout('c3'),
    d: stdout('d4'),
    n: overlapUnknown('stdout', 4),
    r: running,
    k: reconnecting(1, 'cut', 0),
    x: exitFrame(0),
  },
  timing: { replayShape: 'chunks' },
};
