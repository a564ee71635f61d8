import type { MarbleScenario } from './scenario.js';
import { completed, drainIncomplete, exitProbed, stdout } from './values.js';

export const reattachEvicted: MarbleScenario = {
  protocolCase: 4,
  title: 'Re-attach gets 404',
  claim: 'Evicted between probe and re-attach: a drain-incomplete notice, then the probed exit code.',
  sockets: [
    { role: 'attach',   marble: '-a-#',   error: 'cut',     subscription: '^--!' },
    { role: 'reattach', marble:     '-#', error: 'evicted', subscription: '----^!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a---(nx|)',
  values: {
    a: stdout('hel'),
    t: completed(3),
    n: drainIncomplete('the re-attach failed: attach refused: execution exec-1 not found', 3),
    x: exitProbed(3),
  },
};
