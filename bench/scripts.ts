/**
 * The scripted commands the benchmarks run on the emulator, and the requests and expected outputs
 * that go with them. Parameters travel in `args`, so one script serves every size.
 */

import type { AttachFault, ScriptSource } from '../dist/testing.js';
import type { ExecRequest } from '../dist/index.js';
import { TICKER, tickerScript } from './ticker.js';

/** How the first attach of a `lines` execution is cut (`none`: a clean attach). */
export type CutKind = 'none' | 'upgrade' | 'mid' | 'before-exit';

/** Every cut kind, in the order `concurrency` cycles through them. */
export const CUT_KINDS: readonly CutKind[] = ['none', 'upgrade', 'mid', 'before-exit'];

/** `count` chunks of `chunkBytes` bytes on stdout, as fast as the client takes them, then exit 0. */
export function floodRequest(chunkBytes: number, count: number): ExecRequest {
  return { command: 'flood', args: [String(chunkBytes), String(count)] };
}

/** A command that prints `text` and exits before anyone attaches; `cut`: its first attach is cut at the upgrade. */
export function fastRequest(text: string, cut: boolean): ExecRequest {
  return { command: cut ? 'fast-cut' : 'fast', args: [text] };
}

/** A command that, once attached, prints `linesText(label, count)` one line a chunk; its first attach is cut as `cut` says. */
export function linesRequest(label: string, count: number, cut: CutKind): ExecRequest {
  return { command: 'lines', args: [label, String(count), cut] };
}

/** The exact stdout of a `lines` execution. */
export function linesText(label: string, count: number): string {
  let text = '';
  for (let i = 0; i < count; i += 1) text += `${label} line ${i}\n`;
  return text;
}

function cutFault(kind: CutKind, totalBytes: number): AttachFault | undefined {
  switch (kind) {
    case 'none':
      return undefined;
    case 'mid':
      return { cut: { after: { outputBytes: Math.floor(totalBytes / 2) } } };
    default:
      return { cut: { after: kind } };
  }
}

const chunks = new Map<number, Uint8Array>();

/** One `bytes`-long chunk of `x`, shared by every flood of that size. */
function chunkOf(bytes: number): Uint8Array {
  let chunk = chunks.get(bytes);
  if (chunk === undefined) {
    chunk = new Uint8Array(bytes).fill(0x78);
    chunks.set(bytes, chunk);
  }
  return chunk;
}

/** The scripts, by command name, for `startRunnerEmulator({ scripts })`. */
export const benchScripts: Readonly<Record<string, ScriptSource>> = {
  flood: ({ args = [] }) => ({ steps: [{ flood: { chunk: chunkOf(Number(args[0])), count: Number(args[1]) } }] }),
  fast: ({ args = [] }) => ({ steps: [{ stdout: args[0] ?? '' }] }),
  'fast-cut': ({ args = [] }) => ({ steps: [{ stdout: args[0] ?? '' }], attachFaults: [{ cut: { after: 'upgrade' } }] }),
  lines: ({ args = [] }) => {
    const [label = '', count = '0', cut = 'none'] = args;
    const text = linesText(label, Number(count));
    const lines = text.split(/(?<=\n)/).filter((line) => line !== '');
    return {
      steps: [{ waitForAttach: true }, ...lines.map((line) => ({ stdout: line }))],
      attachFaults: [cutFault(cut as CutKind, Buffer.byteLength(text))],
    };
  },
  // Figures 7 and 8: a line every 50 ms, its cuts planned by `TickerPlanner` (see ticker.ts).
  [TICKER]: tickerScript,
};
