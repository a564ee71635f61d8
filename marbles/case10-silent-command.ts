import type { MarbleScenario } from './scenario.js';
import { exitFrame, stdout } from './values.js';

export const silentCommand: MarbleScenario = {
  protocolCase: 10,
  title: 'Silent command',
  claim: 'Sixteen seconds without output is not a cut: no probe, no reconnect.',
  sockets: [
    { role: 'attach', marble: '16000ms a-x|', subscription: '^ 16001ms !' },
  ],
  probes: [],
  expected: '16000ms a-(x|)',
  values: { a: stdout('done\n'), x: exitFrame(0) },
};
