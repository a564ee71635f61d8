import type { MarbleScenario } from './scenario.js';
import { completed } from './values.js';

export const firstConnectNeverAccepted: MarbleScenario = {
  protocolCase: 9,
  title: 'Every upgrade refused without a status',
  claim: 'No socket of the execution ever opened when the drain\'s deadline passed: AttachRejectedError naming webSocketAuth, never the probed exit code with no output.',
  sockets: [
    { role: 'attach',   marble: '-#',          error: 'refusedUnknown', subscription: '^!' },
    { role: 'reattach', marble:   '-#',        error: 'refusedUnknown', subscription: '--^!' },
    { role: 'reattach', marble:      '-#',     error: 'refusedUnknown', subscription: '-----^!' },
    { role: 'reattach', marble:          '-#', error: 'refusedUnknown', subscription: '----------^!' },
  ],
  probes: [
    { marble: '-t|', subscription: '-^!' },
  ],
  expected: '-----------#',
  expectedError: 'unopened',
  values: { t: completed(0) },
  timing: { drainTimeout: 10, conflictDelay: 2 },
};
