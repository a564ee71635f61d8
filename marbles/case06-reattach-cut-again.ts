import type { MarbleScenario } from './scenario.js';
import { completed, drainIncomplete, exitProbed, socketOpens, stdout } from './values.js';

export const reattachCutAgain: MarbleScenario = {
  protocolCase: 6,
  title: 'Re-attach is cut again',
  claim: 'What the drain received is delivered at once (aligned: the delivered bytes skipped). A drain cut after its socket opened (o) is attached again at once, up to drainReattempts (3) times; each replays the same ring, so nothing repeats. Cut every time: the exit code comes from the probe, with a notice.',
  sockets: [
    { role: 'attach',   marble: '-a-#',   error: 'cut', subscription: '^--!' },
    { role: 'reattach', marble:     '-or#',  error: 'cut', subscription: '----^--!' },
    { role: 'reattach', marble:        '-or#',  error: 'cut', subscription: '-------^--!' },
    { role: 'reattach', marble:           '-or#',  error: 'cut', subscription: '----------^--!' },
    { role: 'reattach', marble:              '-or#', error: 'cut', subscription: '-------------^--!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a----c---------(nx|)',
  values: {
    a: stdout('hel'),
    o: socketOpens,
    r: stdout('hello\n'),
    c: stdout('lo\n'),
    t: completed(0),
    n: drainIncomplete('the re-attach failed: attach: socket closed before the exit frame (code 1006)', 0),
    x: exitProbed(0),
  },
};
