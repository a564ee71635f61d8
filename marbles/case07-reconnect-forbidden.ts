import type { MarbleScenario } from './scenario.js';
import { reconnecting, running, stdout } from './values.js';

export const reconnectForbidden: MarbleScenario = {
  protocolCase: 7,
  title: 'Reconnect gets 403',
  claim: 'A refusal for auth on a reconnect ends the stream with AttachRejectedError at once: no probe, no retry.',
  sockets: [
    { role: 'attach', marble: '-a-#',  error: 'cut',       subscription: '^--!' },
    { role: 'attach', marble:     '-#', error: 'forbidden', subscription: '----^!' },
  ],
  probes: [
    { marble: '-r|', subscription: '---^!' },
  ],
  expected: '-a--n#',
  expectedError: 'forbidden',
  values: { a: stdout('hel'), r: running, n: reconnecting(1, 'cut', 0) },
};
