import type { MarbleScenario } from './scenario.js';
import { exitFrame, headMayBeMissing, socketOpens, stdout } from './values.js';

const values = { o: socketOpens, a: stdout('1234'), b: stdout('5678'), c: stdout('9abc'), x: exitFrame(0) };

export const startGateFirstSocket: MarbleScenario = {
  protocolCase: 14,
  title: 'Start gate: the first socket comes before the first byte',
  claim: "A gated exec's command starts only once its first socket has opened, so that socket replays nothing: a burst of 12 bytes into an 8-byte buffer is all live output, delivered as it comes, with no notice.",
  sockets: [
    { role: 'attach', marble: '-o(abc)--x|', subscription: '^--------!' },
  ],
  probes: [],
  expected: '--(abc)--(x|)',
  values,
  timing: { ringBytes: 8, startGate: true },
};

export const ungatedFirstSocket: MarbleScenario = {
  protocolCase: 14,
  title: 'Without the start gate, the same burst may be a replay',
  claim: 'Without the gate the command may have written before the socket opened, and nothing yet shows the replay shape: a first burst that reaches the buffer is announced (output before it may be missing) before the frame that reaches it; every byte is still delivered at once.',
  sockets: [
    { role: 'attach', marble: '-o(abc)--x|', subscription: '^--------!' },
  ],
  probes: [],
  expected: '--(anbc)-(x|)',
  values: { ...values, n: headMayBeMissing('stdout', 8) },
  timing: { ringBytes: 8 },
};
