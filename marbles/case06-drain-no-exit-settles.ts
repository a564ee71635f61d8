import type { MarbleScenario } from './scenario.js';
import { completed, drainIncomplete, exitProbed, socketOpens, stdout } from './values.js';

export const drainNoExitSettles: MarbleScenario = {
  protocolCase: 6,
  title: 'Drain with no exit frame settles',
  claim: 'The drain socket opens (o) and replays the ring, but no exit frame follows: drainSettle after its last event the probed exit code ends the stream, with a notice, long before drainTimeout.',
  sockets: [
    { role: 'attach',   marble: '-a-#',       error: 'cut', subscription: '^--!' },
    { role: 'reattach', marble:     '-or------------',      subscription: '----^-------!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  expected: '-a----c-----(nx|)',
  values: {
    a: stdout('hel'),
    o: socketOpens,
    r: stdout('hello\n'),
    c: stdout('lo\n'),
    t: completed(0),
    n: drainIncomplete('the re-attach sent nothing for 6 ms', 0),
    x: exitProbed(0),
  },
  timing: { drainSettle: 6, drainTimeout: 40 },
};
