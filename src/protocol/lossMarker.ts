import type { OutputStream } from './types.js';

/**
 * The host's in-band loss marker (docs/protocol.md): when the guest's output buffer overruns, the
 * BoxLite host writes `[boxlite] <stream> output dropped <N> bytes\r\n` into that stream itself,
 * as its own chunk, `N` in plain decimal. Output equal to it is read as one.
 */
const MARKER = /^\[boxlite\] (stdout|stderr) output dropped (0|[1-9]\d{0,19}) bytes\r\n$/;

/** What a marker says: `bytes` of `stream` were dropped. */
export interface LossMarker {
  readonly stream: OutputStream;
  readonly bytes: number;
}

/**
 * Reads `data` (or its `length` bytes from `at`: one frame of a joined event) as the marker, or
 * `undefined`. A length check (41 to 60 bytes) and one byte compare come before any string work
 * or view, so ordinary frames cost next to nothing.
 */
export function readLossMarker(data: Uint8Array, at = 0, length = data.length): LossMarker | undefined {
  if (length < 41 || length > 60 || data[at] !== 0x5b) return undefined;
  const match = MARKER.exec(String.fromCharCode(...data.subarray(at, at + length)));
  return match ? { stream: match[1] as OutputStream, bytes: Number(match[2]) } : undefined;
}

/** Whether one of the frames of a joined event (their `lengths` in `data`, in order) is a marker. */
export function holdsLossMarker(data: Uint8Array, lengths: readonly number[]): boolean {
  let at = 0;
  return lengths.some((length) => readLossMarker(data, at, length) !== undefined || ((at += length), false));
}

/**
 * Cuts a Go-runner ring replay (its new part) around every marker in it: the pieces, in order,
 * each marker a piece of its own. A marker is found wherever its exact text is, not only at a line
 * start: the host writes it between two reads of the guest's buffer, which end anywhere in a line.
 */
export function splitAtLossMarkers(data: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (let at = data.indexOf(0x5b); at >= 0; at = data.indexOf(0x5b, at + 1)) {
    // The newline can only be the marker's 41st to 60th byte: the search stays within them.
    const end = at + data.subarray(at, at + 60).indexOf(0x0a, 40) + 1;
    if (end === at || readLossMarker(data.subarray(at, end)) === undefined) continue;
    if (at > from) pieces.push(data.subarray(from, at));
    pieces.push(data.subarray(at, end));
    from = end;
    at = end - 1;
  }
  if (from < data.length) pieces.push(from === 0 ? data : data.subarray(from));
  return pieces;
}

/** The marker the host writes for `bytes` dropped bytes of `stream` (the emulator writes it). */
export function encodeLossMarker(stream: OutputStream, bytes: number): Uint8Array {
  return new TextEncoder().encode(`[boxlite] ${stream} output dropped ${bytes} bytes\r\n`);
}
