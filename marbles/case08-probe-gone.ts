import type { MarbleScenario } from './scenario.js';
import { gone, stdout } from './values.js';

export const probeGone: MarbleScenario = {
  protocolCase: 8,
  title: 'Probe says gone (404)',
  claim: 'The execution is unknown or evicted: a typed ExecutionGoneError at once, no reconnect.',
  sockets: [
    { role: 'attach', marble: '-a-#', error: 'cut', subscription: '^--!' },
  ],
  probes: [
    { marble: '-g|', subscription: '---^!' },
  ],
  expected: '-a--#',
  expectedError: 'gone',
  values: { a: stdout('hel'), g: gone },
};
