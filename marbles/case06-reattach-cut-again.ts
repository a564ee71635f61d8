import type { MarbleScenario } from './scenario.js';
import { completed, drainIncomplete, exitProbed, stdout } from './values.js';

export const reattachCutAgain: MarbleScenario = {
  protocolCase: 6,
  title: 'Re-attach is cut again',
  claim: 'A replay cut before it could be shown complete is not delivered (it might have wrapped); the exit code comes from the probe, with a notice.',
  sockets: [
    { role: 'attach',   marble: '-a-#',  error: 'cut', subscription: '^--!' },
    { role: 'reattach', marble:     '-r#', error: 'cut', subscription: '----^-!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a----(nx|)',
  values: {
    a: stdout('hel'),
    r: stdout('hello\n'),
    t: completed(0),
    n: drainIncomplete('the re-attach failed: attach: socket closed before the exit frame (code 1006)', 0),
    x: exitProbed(0),
  },
};
