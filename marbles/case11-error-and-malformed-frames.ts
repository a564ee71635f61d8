import { notice } from '../src/events.js';
import type { MarbleScenario } from './scenario.js';
import { exitFrame, serverError, stdout } from './values.js';

export const errorAndMalformedFrames: MarbleScenario = {
  protocolCase: 11,
  title: 'Error and malformed frames',
  claim: 'An error frame and an unusable frame are reported as notices; the stream goes on.',
  sockets: [
    { role: 'attach', marble: '-e-m-a-x|', subscription: '^------!' },
  ],
  probes: [],
  expected: '-e-m-a-(x|)',
  values: {
    e: serverError('signal 9 is not allowed'),
    m: notice('malformed-frame', 'unknown channel byte 0x07', { bytes: 3 }),
    a: stdout('still here\n'),
    x: exitFrame(0),
  },
};
