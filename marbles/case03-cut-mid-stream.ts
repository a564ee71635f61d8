import type { MarbleScenario } from './scenario.js';
import { completed, exitFrame, stdout } from './values.js';

export const cutMidStream: MarbleScenario = {
  protocolCase: 3,
  title: 'Cut mid-stream',
  claim: 'The re-attach replays the whole ring; shorter than a ring, it is the stream from byte 0, so the delivered bytes are skipped at its first frame and the rest is handed on at once: none is lost or repeated.',
  sockets: [
    { role: 'attach',   marble: '-a-b-#',     error: 'cut', subscription: '^----!' },
    { role: 'reattach', marble:       '-r-x|',              subscription: '------^--!' },
  ],
  probes: [
    { marble: '-t|', subscription: '-----^!' },
  ],
  expected: '-a-b---n-(x|)',
  values: { a: stdout('hel'), b: stdout('lo'), r: stdout('hello\n'), n: stdout('\n'), t: completed(0), x: exitFrame(0) },
};
