import type { MarbleScenario } from './scenario.js';
import { exitFrame, reconnecting, running, stdout } from './values.js';

export const probeRunning: MarbleScenario = {
  protocolCase: 7,
  title: 'Probe says running',
  claim: 'Reconnect at once (a cut the server saw frees the slot), announced; the replay, shorter than the ring, is the stream from byte 0: what was delivered is skipped at its first frame, the rest arrives at once, and live output continues.',
  sockets: [
    { role: 'attach', marble: '-a-#',          error: 'cut', subscription: '^--!' },
    { role: 'attach', marble:     '-R----b-----x|',     subscription: '----^-----------!' },
  ],
  probes: [
    { marble: '-r|', subscription: '---^!' },
  ],
  expected: '-a--nc----b-----(x|)',
  values: { a: stdout('hel'), R: stdout('hello\n'), c: stdout('lo\n'), b: stdout('bye\n'), r: running, x: exitFrame(0), n: reconnecting(1, 'cut', 0) },
};
