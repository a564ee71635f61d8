import type { MarbleScenario } from './scenario.js';
import { completed, stdout } from './values.js';

export const reattachUnauthorized: MarbleScenario = {
  protocolCase: 4,
  title: 'Re-attach gets 401',
  claim: 'A refusal for auth is a configuration error, not a transient: the drain ends with AttachRejectedError, never with the probed exit code.',
  sockets: [
    { role: 'attach',   marble: '-a-#',   error: 'cut',          subscription: '^--!' },
    { role: 'reattach', marble:     '-#', error: 'unauthorized', subscription: '----^!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a---#',
  expectedError: 'unauthorized',
  values: { a: stdout('hel'), t: completed(0) },
};
