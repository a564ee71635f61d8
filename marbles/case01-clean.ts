import type { MarbleScenario } from './scenario.js';
import { exitFrame, stdout } from './values.js';

export const clean: MarbleScenario = {
  protocolCase: 1,
  title: 'Clean run',
  claim: 'Output, then the exit frame: all output, one exit, no probe.',
  sockets: [
    { role: 'attach', marble: '-a-b-x|', subscription: '^----!' },
  ],
  probes: [],
  expected: '-a-b-(x|)',
  values: { a: stdout('hel'), b: stdout('lo\n'), x: exitFrame(0) },
};
