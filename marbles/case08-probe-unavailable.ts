import type { MarbleScenario } from './scenario.js';
import { exitFrame, stdout, unavailable } from './values.js';

export const probeUnavailable: MarbleScenario = {
  protocolCase: 8,
  title: 'Probe fails (503)',
  claim: 'The status is unknown: reconnect after the backoff, as for running.',
  sockets: [
    { role: 'attach', marble: '-a-#',          error: 'cut', subscription: '^--!' },
    { role: 'attach', marble:          '-R-x|',              subscription: '---------^--!' },
  ],
  probes: [
    { marble: '-u|', subscription: '---^!' },
  ],
  expected: '-a--------c-(x|)',
  values: { a: stdout('hel'), R: stdout('hello\n'), c: stdout('lo\n'), u: unavailable, x: exitFrame(0) },
  timing: { reconnectDelay: 5 },
};
