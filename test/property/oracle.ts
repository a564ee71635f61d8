/**
 * The byte oracle of the property tests: can what one stream delivered be explained by what the
 * process produced, given the notices the client emitted on that stream?
 *
 * Delivered bytes split at each notice into segments. Each segment must be a contiguous slice of the
 * produced bytes. Without a notice between two segments they are simply one; after `output-lost`
 * the next segment may start anywhere later (bytes may be missing); after `replay-overlap-unknown`
 * with `bytes: b` it may start up to `b` bytes earlier (bytes repeat) or anywhere later (the
 * notice says output may be missing too). Nothing else is allowed: no byte dropped, repeated or
 * altered without the notice that says so.
 */
import type { ExecEvent } from '../../src/events.js';
import type { OutputStream } from '../../src/protocol/types.js';

/** An attach of the model reached its upgrade; `from`: the stream offsets its replay starts at. */
export interface UpgradeMark {
  readonly type: 'upgrade';
  readonly from: Readonly<Record<OutputStream, number>>;
}

/** What the subscriber saw, with the model's upgrades in between. */
export type TimelineEntry = ExecEvent | UpgradeMark;

/** One stream as the subscriber saw it: byte runs and the notices between them. */
export type StreamPiece =
  | { readonly kind: 'bytes'; readonly data: Uint8Array }
  | { readonly kind: 'output-lost' }
  | { readonly kind: 'overlap'; readonly bytes: number };

/** Splits a timeline into the pieces of `stream`. */
export function piecesOf(timeline: readonly TimelineEntry[], stream: OutputStream): StreamPiece[] {
  const pieces: StreamPiece[] = [];
  for (const entry of timeline) {
    if (entry.type === stream) pieces.push({ kind: 'bytes', data: entry.data });
    else if (entry.type === 'notice' && entry.stream === stream) {
      if (entry.kind === 'output-lost') pieces.push({ kind: 'output-lost' });
      if (entry.kind === 'replay-overlap-unknown') pieces.push({ kind: 'overlap', bytes: entry.bytes ?? Number.POSITIVE_INFINITY });
    }
  }
  return pieces;
}

/** Every delivered byte of `pieces`, joined. */
export function deliveredBytes(pieces: readonly StreamPiece[]): Uint8Array {
  return Uint8Array.from(pieces.flatMap((piece) => (piece.kind === 'bytes' ? [...piece.data] : [])));
}

/** Whether `pieces` announce anything: a loss or overlap notice. */
export function announces(pieces: readonly StreamPiece[]): boolean {
  return pieces.some((piece) => piece.kind === 'output-lost' || piece.kind === 'overlap');
}

/**
 * Whether `pieces` explain `produced` as the file comment says, the first byte delivered being
 * produced byte `start`. `complete`: the last segment must end at the last produced byte (the run
 * ended with the server's exit frame); otherwise any explained prefix is accepted (the drain fell
 * back, or the execution is gone).
 */
export function explains(produced: Uint8Array, pieces: readonly StreamPiece[], options: { complete: boolean; start: number }): boolean {
  const n = produced.length;
  let ends: Uint8Array = new Uint8Array(n + 1);
  ends[options.start] = 1;
  let segment: number[] = [];
  const flush = (): void => {
    if (segment.length === 0) return;
    ends = advance(produced, ends, segment);
    segment = [];
  };
  for (const piece of pieces) {
    if (piece.kind === 'bytes') {
      segment.push(...piece.data);
      continue;
    }
    flush();
    if (piece.kind === 'output-lost') ends = anyLater(ends);
    else ends = repeatOrLater(ends, piece.bytes);
  }
  flush();
  return options.complete ? ends[n] === 1 : ends.includes(1);
}

/** Positions where `segment` can end, given where the previous one may have ended. */
function advance(produced: Uint8Array, starts: Uint8Array, segment: readonly number[]): Uint8Array {
  const next = new Uint8Array(starts.length);
  for (let start = 0; start + segment.length <= produced.length; start += 1) {
    if (starts[start] !== 1) continue;
    let equal = true;
    for (let i = 0; i < segment.length && equal; i += 1) equal = produced[start + i] === segment[i];
    if (equal) next[start + segment.length] = 1;
  }
  return next;
}

function anyLater(ends: Uint8Array): Uint8Array {
  const first = ends.indexOf(1);
  const next = new Uint8Array(ends.length);
  if (first >= 0) next.fill(1, first);
  return next;
}

function repeatOrLater(ends: Uint8Array, bytes: number): Uint8Array {
  const first = ends.indexOf(1);
  const next = new Uint8Array(ends.length);
  if (first >= 0) next.fill(1, Math.max(0, first - bytes));
  return next;
}
