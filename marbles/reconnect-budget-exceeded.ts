import type { MarbleScenario } from './scenario.js';
import { reconnecting, unavailable } from './values.js';

export const reconnectBudgetExceeded: MarbleScenario = {
  protocolCase: 7,
  title: 'Reconnects run out of budget while the server is unavailable',
  claim: 'While the status probe fails, the backoff doubles up to its cap, each try announced; past the budget, one ReconnectBudgetExceededError ends the stream.',
  sockets: [
    { role: 'attach', marble: '-#',                                 error: 'cut', subscription: '^!' },
    { role: 'attach', marble: '       -#',                          error: 'cut', subscription: '-------^!' },
    { role: 'attach', marble: '                   -#',              error: 'cut', subscription: '-------------------^!' },
    { role: 'attach', marble: '                               -#',  error: 'cut', subscription: '-------------------------------^!' },
  ],
  probes: [
    { marble: '-u|', subscription: '-^!' },
    { marble: '-u|', subscription: '--------^!' },
    { marble: '-u|', subscription: '--------------------^!' },
    { marble: '-u|', subscription: '--------------------------------^!' },
  ],
  expected: '--a------b-----------c-----------#',
  expectedError: 'budget',
  values: {
    u: unavailable,
    a: reconnecting(1, 'unavailable', 5),
    b: reconnecting(2, 'unavailable', 10),
    c: reconnecting(3, 'unavailable', 10),
  },
  timing: { reconnectDelay: 5, reconnectBudget: 30 },
};
