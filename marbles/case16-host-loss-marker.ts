import type { MarbleScenario } from './scenario.js';
import { exitFrame, hostDropped, reconnecting, running, stdout } from './values.js';

const MARKER = '[boxlite] stdout output dropped 4096 bytes\r\n';

export const hostLossMarker: MarbleScenario = {
  protocolCase: 0,
  title: "The host's loss marker, live and inside a replay",
  claim: "A frame that is exactly the host's `[boxlite] stdout output dropped N bytes` line becomes an `output-lost` notice in its place; its bytes count as delivered, so the ring replayed after a cut, which holds it, aligns exactly: the new bytes leave at that frame's time and the notice is not repeated.",
  sockets: [
    { role: 'attach', marble: '-a-M-b-#',        error: 'cut', subscription: '^------!' },
    { role: 'attach', marble:              '-R-x|',            subscription: '--------^--!' },
  ],
  probes: [
    { marble: '-r|', subscription: '-------^!' },
  ],
  expected: '-a-n-b--kc-(x|)',
  values: {
    a: stdout('build 1/2\n'),
    M: stdout(MARKER),
    b: stdout('build 2/2\n'),
    R: stdout(`build 1/2\n${MARKER}build 2/2\ntests passed\n`),
    c: stdout('tests passed\n'),
    n: hostDropped('stdout', 4096),
    r: running,
    k: reconnecting(1, 'cut', 0),
    x: exitFrame(0),
  },
};
