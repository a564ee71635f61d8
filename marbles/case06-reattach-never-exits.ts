import type { MarbleScenario } from './scenario.js';
import { completed, drainIncomplete, exitProbed, stdout } from './values.js';

export const reattachNeverExits: MarbleScenario = {
  protocolCase: 6,
  title: 'Re-attach never sends exit',
  claim: 'The drain is bounded: what it received is delivered at once, and after drainTimeout the probed exit code ends the stream, with a notice; nothing hangs.',
  sockets: [
    { role: 'attach',   marble: '-a-#',  error: 'cut', subscription: '^--!' },
    { role: 'reattach', marble:     '-r-',             subscription: '----^-------------------!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a---c------------------(nx|)',
  values: {
    a: stdout('hel'),
    r: stdout('hello\n'),
    c: stdout('lo\n'),
    t: completed(0),
    n: drainIncomplete('the re-attach did not finish within 20 ms', 0),
    x: exitProbed(0),
  },
  timing: { drainTimeout: 20 },
};
