import type { MarbleScenario } from './scenario.js';
import { exitFrame, reconnected, reconnecting, running, socketOpens } from './values.js';

export const recycledSockets: MarbleScenario = {
  protocolCase: 15,
  title: 'A silent command whose socket is recycled again and again',
  claim: 'Each socket the server accepts and keeps open (healthyAfter, 5 ms here) is progress, so every cut starts a new run of failures: the command is followed to its exit, though the whole took far longer than the 5 ms budget.',
  sockets: [
    { role: 'attach', marble: '-o--------#',                                error: 'cut', subscription: '^---------!' },
    { role: 'attach', marble:            '-o--------#',                     error: 'cut', subscription: '-----------^---------!' },
    { role: 'attach', marble:                       '-o--------#',          error: 'cut', subscription: '----------------------^---------!' },
    { role: 'attach', marble:                                  '-o---x|',                 subscription: '---------------------------------^----!' },
  ],
  probes: [
    { marble: '-r|', subscription: '----------^!' },
    { marble: '-r|', subscription: '---------------------^!' },
    { marble: '-r|', subscription: '--------------------------------^!' },
  ],
  expected: '-----------nk---------nk---------nk---(x|)',
  values: {
    o: socketOpens,
    r: running,
    n: reconnecting(1, 'cut', 0),
    k: reconnected(1),
    x: exitFrame(0),
  },
  timing: { reconnectBudget: 5, healthyAfter: 5 },
};
