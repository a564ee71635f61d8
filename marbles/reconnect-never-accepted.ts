import type { MarbleScenario } from './scenario.js';
import { reconnecting, running } from './values.js';

export const reconnectNeverAccepted: MarbleScenario = {
  protocolCase: 7,
  title: 'Reconnects refused without a status until the budget ends',
  claim: 'The process runs and every upgrade is refused without a status: retried as a 409 within the budget; none ever opened, so AttachRejectedError naming webSocketAuth ends the stream.',
  sockets: [
    { role: 'attach', marble: '-#',     error: 'refusedUnknown', subscription: '^!' },
    { role: 'attach', marble: '    -#', error: 'refusedUnknown', subscription: '----^!' },
  ],
  probes: [
    { marble: '-r|', subscription: '-^!' },
    { marble: '-r|', subscription: '-----^!' },
  ],
  expected: '--n---#',
  expectedError: 'unopened',
  values: { r: running, n: reconnecting(1, 'refused', 2) },
  timing: { conflictDelay: 2, reconnectBudget: 6 },
};
