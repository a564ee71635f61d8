import type { MarbleScenario } from './scenario.js';
import { completed, exitFrame, overlapUnknown, stdout } from './values.js';

export const wrappedRingChanceOverlap: MarbleScenario = {
  protocolCase: 14,
  title: 'Wrapped ring with a chance overlap',
  claim: 'A full ring (16 bytes here) that starts with the 3 bytes the delivered output ends in ("ok\\n") is no proof, far under 4096 bytes: a replay-overlap-unknown notice, then the whole replay, then the exit; nothing is skipped on a guess.',
  sockets: [
    { role: 'attach',   marble: '-a-#',      error: 'cut', subscription: '^--!' },
    { role: 'reattach', marble:     '-R---x|',             subscription: '----^----!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a---(nR)(x|)',
  values: {
    a: stdout('step 1: ok\n'),
    R: stdout('ok\nstep 3: done\n'),
    n: overlapUnknown('stdout', 3),
    t: completed(0),
    x: exitFrame(0),
  },
  timing: { ringBytes: 16, replayShape: 'ring' },
};
