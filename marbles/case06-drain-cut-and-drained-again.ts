import type { MarbleScenario } from './scenario.js';
import { completed, exitFrame, socketOpens, stdout } from './values.js';

export const drainCutAndDrainedAgain: MarbleScenario = {
  protocolCase: 6,
  title: 'Drain cut and drained again',
  claim: 'The drain socket opens (o), is cut after its replay, and is attached again at once: the process has ended, so the replay is the same ring; what the first drain delivered is skipped, and the server\'s exit frame ends the stream.',
  sockets: [
    { role: 'attach',   marble: '-a-#',          error: 'cut', subscription: '^--!' },
    { role: 'reattach', marble:     '-or-#',     error: 'cut', subscription: '----^---!' },
    { role: 'reattach', marble:         '-or-x|',              subscription: '--------^---!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a----c-----(x|)',
  values: {
    a: stdout('hel'),
    o: socketOpens,
    r: stdout('hello\n'),
    c: stdout('lo\n'),
    t: completed(0),
    x: exitFrame(0),
  },
};
