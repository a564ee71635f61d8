import type { MarbleScenario } from './scenario.js';
import { completed, stdout } from './values.js';

export const unsubscribeDuringAttach: MarbleScenario = {
  protocolCase: 12,
  title: 'Unsubscribe during the attach',
  claim: 'The socket subscription ends with the subscriber; nothing else starts.',
  sockets: [
    { role: 'attach', marble: '-a----', subscription: '^-!' },
  ],
  probes: [],
  unsubscribe: '--!',
  expected: '-a-',
  values: { a: stdout('hel') },
};

export const unsubscribeDuringProbe: MarbleScenario = {
  protocolCase: 12,
  title: 'Unsubscribe during the probe',
  claim: 'The in-flight probe is dropped (its request aborted); no re-attach starts.',
  sockets: [
    { role: 'attach', marble: '-a-#', error: 'cut', subscription: '^--!' },
  ],
  probes: [
    { marble: '---t|', subscription: '---^-!' },
  ],
  unsubscribe: '-----!',
  expected: '-a----',
  values: { a: stdout('hel'), t: completed(0) },
};

export const unsubscribeDuringReattach: MarbleScenario = {
  protocolCase: 12,
  title: 'Unsubscribe during the re-attach',
  claim: 'The drain socket closes with the subscriber; no fallback exit is emitted afterwards.',
  sockets: [
    { role: 'attach',   marble: '-a-#',      error: 'cut', subscription: '^--!' },
    { role: 'reattach', marble:     '-r----x|',            subscription: '----^-!' },
  ],
  probes: [
    { marble: '-t|', subscription: '---^!' },
  ],
  unsubscribe: '------!',
  expected: '-a---c-',
  values: { a: stdout('hel'), r: stdout('hello\n'), c: stdout('lo\n'), t: completed(0) },
};
