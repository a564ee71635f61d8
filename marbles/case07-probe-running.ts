import type { MarbleScenario } from './scenario.js';
import { exitFrame, running, stdout } from './values.js';

export const probeRunning: MarbleScenario = {
  protocolCase: 7,
  title: 'Probe says running',
  claim: 'Reconnect after the backoff; the replay is held until a frame after a quiet gap shows it complete, then what was delivered is skipped and live output continues.',
  sockets: [
    { role: 'attach', marble: '-a-#',          error: 'cut', subscription: '^--!' },
    { role: 'attach', marble:          '-R----b-----x|',     subscription: '---------^-----------!' },
  ],
  probes: [
    { marble: '-r|', subscription: '---^!' },
  ],
  expected: '-a-------------(cb)--(x|)',
  values: { a: stdout('hel'), R: stdout('hello\n'), c: stdout('lo\n'), b: stdout('bye\n'), r: running, x: exitFrame(0) },
  timing: { reconnectDelay: 5, replaySettle: 3 },
};
