import type { MarbleScenario } from './scenario.js';
import { exitFrame, hostDropped, joined, numberedLines, reconnecting, running, socketOpens, stdout } from './values.js';

const A = numberedLines(1, 250);
const B = numberedLines(251, 500);
const MARKER = '[boxlite] stdout output dropped 2048 bytes\r\n';

export const joinedChunkReplay: MarbleScenario = {
  protocolCase: 0,
  title: 'Joined reads on a chunks server',
  claim: "An attach's first read of a stream is decided frame by frame (it may be a replay), and each frame is a chunk to the cursor: the reconnect's replay, its chunks arriving in one read, is skipped as the run of delivered chunks, and only the new chunk leaves; once live, a joined read goes on as it came, one event.",
  sockets: [
    { role: 'attach', marble: '-J---#',        error: 'cut', subscription: '^----!' },
    { role: 'attach', marble:        '-K--L-x|',           subscription: '------^-----!' },
  ],
  probes: [
    { marble: '-r|', subscription: '-----^!' },
  ],
  expected: '-(ab)-kc--L-(x|)',
  values: {
    J: joined(A, B),
    a: stdout(A),
    b: stdout(B),
    K: joined(A, B, 'c3\n'),
    L: joined('d4\n', 'e5\n'),
    c: stdout('c3\n'),
    r: running,
    k: reconnecting(1, 'cut', 0),
    x: exitFrame(0),
  },
  timing: { replayShape: 'chunks' },
};

export const joinedRingReplay: MarbleScenario = {
  protocolCase: 0,
  title: 'Joined reads on a ring server, the shape found from the frames',
  claim: "The Go runner's ring frame and a live frame in one socket read: the ring is the joined event's first frame, aligned against the delivered bytes (two frames before the cut, so the shape is proven a ring), its new part leaves, then the live frame, in that read's tick, nothing twice.",
  sockets: [
    { role: 'attach', marble: '-J---#',        error: 'cut', subscription: '^----!' },
    { role: 'attach', marble:        '-R---x|',            subscription: '------^----!' },
  ],
  probes: [
    { marble: '-r|', subscription: '-----^!' },
  ],
  expected: '-(ab)-k(cd)(x|)',
  values: {
    J: joined(A, B),
    a: stdout(A),
    b: stdout(B),
    R: joined(`${A}${B}c3\n`, 'd4\n'),
    c: stdout('c3\n'),
    d: stdout('d4\n'),
    r: running,
    k: reconnecting(1, 'cut', 0),
    x: exitFrame(0),
  },
};

export const joinedLossMarker: MarbleScenario = {
  protocolCase: 0,
  title: "The host's loss marker inside a joined read",
  claim: "A live read (a gated exec's first socket) that joins output, the host's marker frame and more output: the frames around the marker leave as they came and the marker becomes its `output-lost` notice in its place, in the read's tick; a joined read without a marker stays one event.",
  sockets: [
    { role: 'attach', marble: '-oJ----L-x|', subscription: '^--------!' },
  ],
  probes: [],
  expected: '--(anb)L-(x|)',
  values: {
    o: socketOpens,
    L: joined('tests 1/2\n', 'tests 2/2\n'),
    J: joined('build 1/2\n', MARKER, 'build 2/2\n'),
    a: stdout('build 1/2\n'),
    n: hostDropped('stdout', 2048),
    b: stdout('build 2/2\n'),
    x: exitFrame(0),
  },
  timing: { startGate: true },
};
