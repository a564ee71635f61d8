/**
 * Judges every frame the doctor received, socket by socket, as the library decodes them: a binary
 * frame is a known channel byte and its payload, a text frame is an exit frame with an integer
 * code or an error frame; exactly one exit frame closes the output, and nothing follows it.
 */

import { decodeBinaryFrame, decodeTextFrame } from '../../protocol/frames.js';
import type { FrameTally } from './measurements.js';
import type { WireFrame } from './wireSession.js';

/** The problems of one socket's frames. */
function socketProblems(frames: readonly WireFrame[]): string[] {
  const problems: string[] = [];
  let exits = 0;
  for (const frame of frames) {
    const event = frame.binary ? decodeBinaryFrame(frame.data) : decodeTextFrame(frame.text);
    if (event?.type === 'notice' && event.kind === 'malformed-frame') problems.push(event.message);
    else if (event?.type === 'exit') {
      exits += 1;
      if (exits === 2) problems.push('a second exit frame');
    } else if (exits > 0 && (event?.type === 'stdout' || event?.type === 'stderr')) problems.push('output after the exit frame');
  }
  return problems;
}

/**
 * Tallies the frames of every socket.
 * @param sockets each socket's frames, in order.
 * @returns how many frames there were, and one line per problem (repeats folded: `… (×3)`).
 */
export function tallyFrames(sockets: readonly (readonly WireFrame[])[]): FrameTally {
  const counts = new Map<string, number>();
  for (const problem of sockets.flatMap(socketProblems)) counts.set(problem, (counts.get(problem) ?? 0) + 1);
  return {
    count: sockets.reduce((sum, frames) => sum + frames.length, 0),
    problems: [...counts].map(([problem, times]) => (times === 1 ? problem : `${problem} (×${times})`)),
  };
}
