import type { MarbleScenario } from './scenario.js';
import { exitFrame, reconnecting, stdout, unavailable } from './values.js';

export const probeUnavailable: MarbleScenario = {
  protocolCase: 8,
  title: 'Probe fails (503)',
  claim: 'The status is unknown (the server may be down): reconnect after the long backoff, announced.',
  sockets: [
    { role: 'attach', marble: '-a-#',          error: 'cut', subscription: '^--!' },
    { role: 'attach', marble:          '-R-x|',              subscription: '---------^--!' },
  ],
  probes: [
    { marble: '-u|', subscription: '---^!' },
  ],
  expected: '-a--n-----c-(x|)',
  values: { a: stdout('hel'), R: stdout('hello\n'), c: stdout('lo\n'), u: unavailable, x: exitFrame(0), n: reconnecting(1, 'unavailable', 5) },
  timing: { reconnectDelay: 5 },
};
