import type { MarbleScenario } from './scenario.js';
import { exitFrame, reconnected, reconnecting, running, socketOpens, stdout } from './values.js';

export const tokenProviderFailure: MarbleScenario = {
  protocolCase: 8,
  title: 'The token provider fails on a reconnect',
  claim: 'A TokenProviderError on a reconnect is one failed connect, not the end: probed, retried after a short backoff, and the output continues.',
  sockets: [
    { role: 'attach', marble: '-a-#',        error: 'cut',   subscription: '^--!' },
    { role: 'attach', marble:     '#',       error: 'token', subscription: '----(^!)' },
    { role: 'attach', marble:        '-oR-x|',               subscription: '-------^---!' },
  ],
  probes: [
    { marble: '-r|', subscription: '---^!' },
    { marble: '-r|', subscription: '----^!' },
  ],
  expected: '-a--nm--kc-(x|)',
  values: {
    a: stdout('hel'),
    o: socketOpens,
    R: stdout('hello\n'),
    c: stdout('lo\n'),
    r: running,
    n: reconnecting(1, 'cut', 0),
    m: reconnecting(2, 'token', 2),
    k: reconnected(2),
    x: exitFrame(0),
  },
};
