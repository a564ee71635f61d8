import type { MarbleScenario } from './scenario.js';
import { exitFrame, reconnecting, running, stdout } from './values.js';

export const replayDecidedAtFirstFrame: MarbleScenario = {
  protocolCase: 7,
  title: 'Replay decided at the first frame',
  claim: 'A reconnect to a running process, at once after the cut, gets the whole ring as one frame; shorter than the ring, it starts with the delivered bytes, so the new ones leave in that frame\'s own millisecond and live output right after it passes at once: nothing waits for quiet.',
  sockets: [
    { role: 'attach', marble: '-a-b-#',          error: 'cut', subscription: '^----!' },
    { role: 'attach', marble:            '-Rlm-x|',            subscription: '------^----!' },
  ],
  probes: [
    { marble: '-r|', subscription: '-----^!' },
  ],
  expected: '-a-b--knlm-(x|)',
  values: {
    a: stdout('hel'),
    b: stdout('lo '),
    R: stdout('hello world\n'),
    n: stdout('world\n'),
    l: stdout('line 2\n'),
    m: stdout('line 3\n'),
    r: running,
    k: reconnecting(1, 'cut', 0),
    x: exitFrame(0),
  },
  timing: { replayShape: 'ring' },
};
