import type { MarbleScenario } from './scenario.js';
import { completed, exitFrame, stdout } from './values.js';

export const firstConnect502: MarbleScenario = {
  protocolCase: 9,
  title: 'First connect gets 502',
  claim: 'A load balancer refuses the first upgrade: the same path as a cut, so the output is drained.',
  sockets: [
    { role: 'attach',   marble: '-#',     error: 'badGateway', subscription: '^!' },
    { role: 'reattach', marble:   '-a-x|',                     subscription: '--^--!' },
  ],
  probes: [
    { marble: '-t|', subscription: '-^!' },
  ],
  expected: '---a-(x|)',
  values: { a: stdout('hello\n'), t: completed(0), x: exitFrame(0) },
};
