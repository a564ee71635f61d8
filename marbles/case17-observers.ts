import type { MarbleScenario } from './scenario.js';
import { completed, exitFrame, socketOpens, startedMain, stdout } from './values.js';

const values = {
  o: socketOpens,
  s: startedMain,
  a: stdout('hel'),
  b: stdout('lo'),
  r: stdout('hello\n'),
  n: stdout('\n'),
  t: completed(0),
  x: exitFrame(0),
};

/** A socket cut after two frames, a terminal probe, and the drain that replays everything and exits. */
const cutThenDrain: Pick<MarbleScenario, 'sockets' | 'probes'> = {
  sockets: [
    { role: 'attach',   marble: '-oa-b-#',     error: 'cut', subscription: '^-----!' },
    { role: 'reattach', marble:        '-or-x|',              subscription: '-------^---!' },
  ],
  probes: [
    { marble: '-t|', subscription: '------^!' },
  ],
};

export const observeThroughCut: MarbleScenario = {
  protocolCase: 0,
  title: 'Observer: a cut mid-stream',
  claim: 'An observer (`observe`, every upgrade `?stdin=false`) recovers as a writer does: probe, then the drain; the delivered bytes are skipped, the rest handed on at once, and nothing is ever sent on any of its sockets.',
  ...cutThenDrain,
  expected: '--a-b----n-(x|)',
  values,
  timing: { session: 'observe' },
};

export const mainSessionThroughCut: MarbleScenario = {
  protocolCase: 0,
  title: "The box's main session: a cut mid-stream",
  claim: "`followMain`'s first socket (the box route) names the execution in its 101: `started` comes at its open, before any output; after the cut the probe and the drain go by that id, and the delivered bytes are skipped.",
  ...cutThenDrain,
  expected: '-sa-b----n-(x|)',
  values,
  timing: { session: 'main' },
};

export const mainSessionHeadersHidden: MarbleScenario = {
  protocolCase: 0,
  title: "The box's main session through a socket that hides the 101's headers",
  claim: 'Without the 101 naming the execution, the session ends at that open with ExecutionIdUnknownError: it never follows, probes or re-attaches without an id.',
  sockets: [
    { role: 'attach', marble: '-oa-b-x|', subscription: '^!' },
  ],
  probes: [],
  expected: '-#',
  expectedError: 'idUnknown',
  values,
  timing: { session: 'main-headers-hidden' },
};

export const mainSessionRefused: MarbleScenario = {
  protocolCase: 0,
  title: "The box's main session refused (404: the box has none)",
  claim: 'A refusal of the box route before any socket named the execution is final: there is no id to probe or re-attach by, so no probe and no retry.',
  sockets: [
    { role: 'attach', marble: '--#', error: 'noMainSession', subscription: '^-!' },
  ],
  probes: [],
  expected: '--#',
  expectedError: 'noMainSession',
  values,
  timing: { session: 'main' },
};
