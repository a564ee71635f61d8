import type { MarbleScenario } from './scenario.js';
import { completed, exitFrame, stdout } from './values.js';

export const reattachUnknownRefusal: MarbleScenario = {
  protocolCase: 5,
  title: 'Re-attach refused without a status, then drains',
  claim: 'A socket that shows no status may be refused by a 409: the drain retries it as one, then drains the output exactly.',
  sockets: [
    { role: 'attach',   marble: '-a-#',         error: 'cut',            subscription: '^--!' },
    { role: 'reattach', marble:     '-#',       error: 'refusedUnknown', subscription: '----^!' },
    { role: 'reattach', marble:        '-r-x|',                          subscription: '-------^--!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a------c-(x|)',
  values: { a: stdout('hel'), r: stdout('hello\n'), c: stdout('lo\n'), t: completed(0), x: exitFrame(0) },
  timing: { conflictDelay: 2 },
};
