import type { MarbleScenario } from './scenario.js';
import { completed, exitFrame, stdout } from './values.js';

export const cutBeforeAnyFrame: MarbleScenario = {
  protocolCase: 2,
  title: 'Cut before any frame (BoxLite PR #627)',
  claim: 'The probe says completed; one immediate re-attach replays the ring and leaves through its exit frame.',
  sockets: [
    { role: 'attach',   marble: '--#',      error: 'cut', subscription: '^-!' },
    { role: 'reattach', marble:    '-a-x|',              subscription: '---^--!' },
  ],
  probes: [
    { marble: '-t|', subscription: '--^!' },
  ],
  expected: '----a-(x|)',
  values: { a: stdout('hello\n'), t: completed(0), x: exitFrame(0) },
};
