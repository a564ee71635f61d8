import type { MarbleScenario } from './scenario.js';
import { running } from './values.js';

export const reconnectBudgetExceeded: MarbleScenario = {
  protocolCase: 7,
  title: 'Reconnects run out of budget',
  claim: 'Backoff doubles up to its cap; past the budget, one ReconnectBudgetExceededError ends the stream.',
  sockets: [
    { role: 'attach', marble: '-#',                                 error: 'cut', subscription: '^!' },
    { role: 'attach', marble: '       -#',                          error: 'cut', subscription: '-------^!' },
    { role: 'attach', marble: '                   -#',              error: 'cut', subscription: '-------------------^!' },
    { role: 'attach', marble: '                               -#',  error: 'cut', subscription: '-------------------------------^!' },
  ],
  probes: [
    { marble: '-r|', subscription: '-^!' },
    { marble: '-r|', subscription: '--------^!' },
    { marble: '-r|', subscription: '--------------------^!' },
    { marble: '-r|', subscription: '--------------------------------^!' },
  ],
  expected: '---------------------------------#',
  expectedError: 'budget',
  values: { r: running },
  timing: { reconnectDelay: 5, reconnectBudget: 30 },
};
