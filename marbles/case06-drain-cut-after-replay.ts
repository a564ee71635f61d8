import type { MarbleScenario } from './scenario.js';
import { completed, drainIncomplete, exitProbed, stderr, stdout } from './values.js';

export const drainCutAfterReplay: MarbleScenario = {
  protocolCase: 6,
  title: 'Drain cut after its replay',
  claim: 'The drain replays both rings, one frame each, then is cut: the new bytes of each stream are delivered as their frame arrives and kept. The re-attach that follows finds the execution evicted (404): the drain-incomplete notice and the probed exit.',
  sockets: [
    { role: 'attach',   marble: '-a-e-#',    error: 'cut', subscription: '^----!' },
    { role: 'reattach', marble:       '-RE#',  error: 'cut', subscription: '------^--!' },
    { role: 'reattach', marble:          '-#', error: 'evicted', subscription: '---------^!' },
  ],
  probes: [
    { marble: '-t|', subscription: '-----^!' },
  ],
  expected: '-a-e---ws-(nx|)',
  values: {
    a: stdout('hello\n'),
    e: stderr('warn: disk\n'),
    R: stdout('hello\nworld\n'),
    E: stderr('warn: disk\nwarn: swap\n'),
    w: stdout('world\n'),
    s: stderr('warn: swap\n'),
    t: completed(1),
    n: drainIncomplete('the re-attach failed: attach refused: execution exec-1 not found', 1),
    x: exitProbed(1),
  },
};
