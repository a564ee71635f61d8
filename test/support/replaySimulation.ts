/**
 * One reconnect, simulated exactly at the byte level for either replay shape: a first attach
 * delivers the first `delivered` chunks live, the client is away while `away` more chunks are
 * written, then a re-attach receives the server's replay (the Go runner's byte ring as one frame,
 * or `boxlite serve`'s whole-chunk backlog, one frame per chunk) and `after` live chunks, then the
 * exit frame. The client side is the real `skipReplayed` on a `ReplayCursor`.
 */
import { Subject } from 'rxjs';
import { ReplayCursor, type ReplayShape, type ReplayShapeOption } from '../../src/delivery/replayCursor.js';
import type { ExecEvent } from '../../src/events.js';
import { skipReplayed } from '../../src/operators/skipReplayed.js';
import { piecesOf, type StreamPiece } from '../property/oracle.js';
import { createTestScheduler } from './marbleHarness.js';

export interface Reconnect {
  /** The server's replay shape. */
  readonly shape: ReplayShape;
  /** The client's `replayShape` option (default: the server's shape). */
  readonly client?: ReplayShapeOption;
  readonly ringBytes: number;
  readonly chunks: readonly Uint8Array[];
  /** Chunks delivered live on the first attach. */
  readonly delivered: number;
  /** Chunks written while away. */
  readonly away: number;
  /** Live chunks after the replay. */
  readonly after: number;
}

/**
 * - `exact`: every byte once, no notice.
 * - `false-alarm`: a notice, though the server still held every byte after the delivered ones.
 * - `announced`: the server had lost bytes, and a notice said so.
 * - `silent`: bytes lost or repeated without a notice (never acceptable).
 */
/** Virtual ms between two live frames: more than a replay burst's gap (`skipReplayed`). */
const LIVE_GAP_MS = 300;

export type Verdict = 'exact' | 'false-alarm' | 'announced' | 'silent';

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** `boxlite serve`'s backlog after `written`: whole chunks from the front dropped past the cap, the newest always kept. */
export function chunkBacklog(written: readonly Uint8Array[], cap: number): { chunks: Uint8Array[]; firstIndex: number } {
  let first = written.length;
  let total = 0;
  while (first > 0) {
    const size = written[first - 1]?.length ?? 0;
    if (first < written.length && total + size > cap) break;
    total += size;
    first -= 1;
  }
  return { chunks: written.slice(first), firstIndex: first };
}

/** Runs one reconnect through `skipReplayed` and judges it. */
export function simulateReconnect(run: Reconnect): Verdict {
  const { shape, ringBytes, chunks } = run;
  const end = Math.min(chunks.length, run.delivered + run.away + run.after);
  const writtenAtReattach = chunks.slice(0, run.delivered + run.away);
  const produced = concat(chunks.slice(0, end));
  const cursor = new ReplayCursor(ringBytes, run.client ?? shape);
  const timeline: ExecEvent[] = [];
  const scheduler = createTestScheduler();
  let recoverable = false;
  // Inside `run`, RxJS reads the time from the scheduler's frame; each frame is pushed at the
  // virtual time set just before it (no actions are scheduled: thousands of them would be slow).
  scheduler.run(() => {
    /** One attach at `at`: frames `burst` at once (a replay), then `live` ones `LIVE_GAP_MS` apart. */
    const attach = (at: number, burst: readonly Uint8Array[], live: readonly Uint8Array[], exit: boolean): number => {
      const source = new Subject<ExecEvent>();
      scheduler.frame = at;
      source.pipe(skipReplayed(cursor)).subscribe({ next: (event) => timeline.push(event), error: () => undefined });
      for (const data of burst) source.next({ type: 'stdout', data });
      for (const data of live) {
        scheduler.frame += LIVE_GAP_MS;
        source.next({ type: 'stdout', data });
      }
      if (exit) source.next({ type: 'exit', exitCode: 0, source: 'frame' });
      source.complete();
      return scheduler.frame;
    };
    const cutAt = attach(0, [], chunks.slice(0, run.delivered), false);
    let replay: Uint8Array[];
    if (shape === 'ring') {
      const all = concat(writtenAtReattach);
      const start = Math.max(0, all.length - ringBytes);
      replay = all.length === 0 ? [] : [all.subarray(start)];
      recoverable = start <= concat(chunks.slice(0, run.delivered)).length;
    } else {
      const backlog = chunkBacklog(writtenAtReattach, ringBytes);
      replay = backlog.chunks;
      recoverable = backlog.firstIndex <= run.delivered;
    }
    attach(cutAt + 1000, replay, chunks.slice(run.delivered + run.away, end), true);
  });

  const pieces = piecesOf(timeline, 'stdout');
  const notices = pieces.filter((piece) => piece.kind !== 'bytes');
  if (notices.length === 0) return equal(bytesOf(pieces), produced) ? 'exact' : 'silent';
  if (!explainedByOneNotice(produced, pieces)) return 'silent';
  return recoverable ? 'false-alarm' : 'announced';
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function bytesOf(pieces: readonly StreamPiece[]): Uint8Array {
  return concat(pieces.flatMap((piece) => (piece.kind === 'bytes' ? [piece.data] : [])));
}

/**
 * The property oracle's rule (test/property/oracle.ts) for one notice, linear in the bytes: what
 * came before the notice is the produced bytes from the start; what came after ends with the last
 * produced byte, so it starts at one place, which the notice must allow (`output-lost`: anywhere
 * later; `replay-overlap-unknown` of b bytes: up to b bytes earlier, or later).
 */
function explainedByOneNotice(produced: Uint8Array, pieces: readonly StreamPiece[]): boolean {
  const index = pieces.findIndex((piece) => piece.kind !== 'bytes');
  const notice = pieces[index];
  if (notice === undefined || pieces.slice(index + 1).some((piece) => piece.kind !== 'bytes')) return false;
  const before = bytesOf(pieces.slice(0, index));
  const after = bytesOf(pieces.slice(index + 1));
  const start = produced.length - after.length;
  const earliest = notice.kind === 'overlap' ? before.length - notice.bytes : before.length;
  return (
    equal(before, produced.subarray(0, before.length)) &&
    start >= earliest &&
    equal(after, produced.subarray(start))
  );
}
