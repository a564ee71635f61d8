import type { MarbleScenario } from './scenario.js';
import { completed, exitFrame, stdout } from './values.js';

export const reattachConflict: MarbleScenario = {
  protocolCase: 5,
  title: 'Re-attach gets 409',
  claim: 'The old socket still holds the slot: the re-attach retries with short backoff, then drains the output.',
  sockets: [
    { role: 'attach',   marble: '-a-#',           error: 'cut',      subscription: '^--!' },
    { role: 'reattach', marble:     '-#',         error: 'conflict', subscription: '----^!' },
    { role: 'reattach', marble:        '-#',      error: 'conflict', subscription: '-------^!' },
    { role: 'reattach', marble:             '-r-x|',                 subscription: '------------^--!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a-----------c-(x|)',
  values: { a: stdout('hel'), r: stdout('hello\n'), c: stdout('lo\n'), t: completed(0), x: exitFrame(0) },
  timing: { conflictDelay: 2 },
};
