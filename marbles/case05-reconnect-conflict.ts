import type { MarbleScenario } from './scenario.js';
import { exitFrame, reconnected, reconnecting, running, socketOpens, stdout } from './values.js';

export const reconnectConflict: MarbleScenario = {
  protocolCase: 5,
  title: 'A 409 run during a reconnect',
  claim: 'After a cut of a running command the reconnect starts at once; while the old socket still holds the slot (409) it backs off briefly (2 ms, then 4 ms here; 50 ms doubling to 2 s by default), each try announced, until the server accepts the socket.',
  sockets: [
    { role: 'attach', marble: '-a-#',                  error: 'cut',      subscription: '^--!' },
    { role: 'attach', marble:     '-#',                error: 'conflict', subscription: '----^!' },
    { role: 'attach', marble:         '-#',            error: 'conflict', subscription: '--------^!' },
    { role: 'attach', marble:               '-oR-x|',                     subscription: '--------------^---!' },
  ],
  probes: [
    { marble: '-r|', subscription: '---^!' },
    { marble: '-r|', subscription: '-----^!' },
    { marble: '-r|', subscription: '---------^!' },
  ],
  expected: '-a--n-m---p----kc-(x|)',
  values: {
    a: stdout('hel'),
    o: socketOpens,
    R: stdout('hello\n'),
    c: stdout('lo\n'),
    r: running,
    n: reconnecting(1, 'cut', 0),
    m: reconnecting(2, 'conflict', 2),
    p: reconnecting(3, 'conflict', 4),
    k: reconnected(3),
    x: exitFrame(0),
  },
};
