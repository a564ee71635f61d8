import type { MarbleScenario } from './scenario.js';
import { exitFrame, headMayBeMissing, stderr, stdout } from './values.js';

export const firstAttachFullRing: MarbleScenario = {
  protocolCase: 14,
  title: 'First attach gets a full ring',
  claim: 'A first stdout frame exactly as long as the ring (16 bytes here) may have wrapped before anyone attached: an output-lost notice right before it; stderr, shorter than its ring, and the live output after pass as usual.',
  sockets: [
    { role: 'attach', marble: '-R---eb-x|', subscription: '^-------!' },
  ],
  probes: [],
  expected: '-(nR)eb-(x|)',
  values: {
    R: stdout('\nok 2\nok 3\nok 4\n'),
    e: stderr('warn\n'),
    b: stdout('ok 5\n'),
    n: headMayBeMissing('stdout', 16),
    x: exitFrame(0),
  },
  timing: { ringBytes: 16, replayShape: 'ring' },
};

export const firstAttachShortRing: MarbleScenario = {
  protocolCase: 14,
  title: 'First attach gets less than a ring',
  claim: 'A first frame one byte short of the ring (15 of 16 bytes) is the stream from byte 0: no notice, every frame at its own time.',
  sockets: [
    { role: 'attach', marble: '-Reb-x|', subscription: '^----!' },
  ],
  probes: [],
  expected: '-Reb-(x|)',
  values: {
    R: stdout('ok 1\nok 2\nok 3\n'),
    e: stderr('warn\n'),
    b: stdout('ok 4\n'),
    x: exitFrame(0),
  },
  timing: { ringBytes: 16, replayShape: 'ring' },
};
