import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { checkKeys, keysOf } from '../checkOptions.js';
import { alignRingReplay } from '../delivery/alignRing.js';
import { headMayBeMissing, hostDropped, overlapUnknown, runBroke } from '../delivery/notices.js';
import { bytesEqual } from '../delivery/overlap.js';
import { planChunkReplay } from '../delivery/planChunkReplay.js';
import type { ReplayCursor } from '../delivery/replayCursor.js';
import type { ExecEvent, OutputEvent } from '../events.js';
import { holdsLossMarker, readLossMarker, splitAtLossMarkers } from '../protocol/lossMarker.js';
import type { OutputStream } from '../protocol/types.js';

/** Frames of one stream closer together than this belong to one burst: how a `chunks` server sends its replay. */
const BURST_GAP_MS = 250;

/**
 * Drops the bytes a re-attach replays that an earlier attach already delivered, using a cursor
 * shared by every attach of one execution, and hands every new byte on in the tick its frame
 * arrives. Put it on each attach stream, before the streams meet.
 *
 * ```
 * cursor: delivered stdout "ab"   ring server: the first frame is the whole ring
 * attach:   --"abc"--"d"--x|      "abc" is shorter than the ring: the stream from byte 0
 * result:   --"c"----"d"--x|      "ab" skipped exactly, at once
 *
 * cursor: delivered A B           chunks server: one frame per stored chunk (A, B: 4 KiB of logs)
 * attach:   --A-B-c--x|           A and B are the delivered chunks, a distinct run; c is new
 * result:   ------c--x|
 *
 * attach:   --R-------x|          a full ring that only chance could align
 * result:   --(nR)----x|          n: replay-overlap-unknown, R delivered whole
 * ```
 *
 * Each stream of an attach is decided at its first frame, from the server's replay shape
 * (`cursor.shape`): `alignRingReplay` for the Go runner's one-frame ring, `planChunkReplay` for
 * `boxlite serve`'s stored chunks. Nothing waits for quiet, a byte count or the exit. Where the
 * replay cannot be aligned with certainty it is delivered whole after a notice (`output-lost`,
 * `replay-overlap-unknown`), so bytes may repeat, announced, but none is dropped in silence.
 * Chunks skipped as a run of delivered ones are held only until the run ends; if a frame breaks
 * the run (or the exit frame comes first), they are delivered after a notice. A stream with
 * nothing delivered whose replay fills the server's buffer (a ring frame of `ringBytes`, or a
 * burst of chunks that reaches it) gets an `output-lost` notice: its oldest output may be gone.
 * With `{ drain: true }` (the process has ended, so the exit frame follows the whole backlog), a
 * short run of chunks is held until that exit frame proves it (`planChunkReplay`'s `drain-run`).
 *
 * @example
 * const cursor = new ReplayCursor(262_144, 'ring');
 * concat(attach$.pipe(skipReplayed(cursor)), reattach$.pipe(skipReplayed(cursor)));
 * @see ReplayCursor
 * @see alignRingReplay
 * @see planChunkReplay
 */
export function skipReplayed(cursor: ReplayCursor, config: SkipReplayedConfig = {}): MonoTypeOperatorFunction<ExecEvent> {
  checkKeys('skipReplayed', 'options', config, CONFIG_KEYS);
  const drain = config.drain === true;
  const fresh = config.fresh === true;
  const markers = config.keepLossMarkers !== true;
  return (source) =>
    new Observable<ExecEvent>((subscriber) => {
      const streams = {
        stdout: streamReplay(cursor, 'stdout', subscriber, drain, markers, fresh),
        stderr: streamReplay(cursor, 'stderr', subscriber, drain, markers, fresh),
      };
      const end = (exited: boolean): void => {
        streams.stdout.end(exited);
        streams.stderr.end(exited);
      };
      return source.subscribe({
        next(event) {
          if (event.type === 'stdout' || event.type === 'stderr') {
            streams[event.type].push(event);
            return;
          }
          if (event.type === 'exit') end(true);
          subscriber.next(event);
        },
        error(error: unknown) {
          end(false);
          subscriber.error(error);
        },
        complete() {
          end(false);
          subscriber.complete();
        },
      });
    });
}

/** Configuration of `skipReplayed`. */
export interface SkipReplayedConfig {
  /**
   * The attach is a drain: the process has ended, so the server sends its whole backlog and then
   * the exit frame at once. On a `chunks` server this lets the backlog's size prove a short run
   * (see `planChunkReplay`); its frames are held until the exit frame, which follows in the same
   * burst. Default false.
   */
  readonly drain?: boolean;
  /**
   * Hand the host's loss markers on as output (`[boxlite] stdout output dropped N bytes\r\n`, see
   * `readLossMarker`) instead of an `output-lost` notice in their place. Default false. Either way
   * their bytes count as delivered, so a later replay that holds them aligns.
   */
  readonly keepLossMarkers?: boolean;
  /**
   * The attach opened before the command could write anything (a gated exec's first socket, see
   * docs/delivery.md, "Start gate"): there is no replay, every frame is live. Default false.
   */
  readonly fresh?: boolean;
}

/** Every key of `SkipReplayedConfig`: the compiler checks that the table names each one. */
const CONFIG_KEYS = /* @__PURE__ */ keysOf<SkipReplayedConfig>({ drain: true, keepLossMarkers: true, fresh: true });

/** Where one stream of one attach stands. */
type State =
  /** No frame yet: the next one is the replay's start. */
  | { readonly kind: 'first' }
  /** Every frame is new. */
  | { readonly kind: 'live' }
  /** Skipping a run of delivered chunks; `held`: the frames skipped so far. */
  | { readonly kind: 'run'; readonly expected: readonly Uint8Array[]; readonly bytes: number; readonly held: OutputEvent[] }
  /**
   * A drain's run that only the backlog's size can prove: every frame is held (`matched` of them
   * matched the run) until the exit frame shows the backlog whole, or it grows past proof.
   */
  | { kind: 'drain-run'; readonly expected: readonly Uint8Array[]; readonly bytes: number; readonly held: OutputEvent[]; matched: number; received: number; largest: number }
  /** Nothing was delivered before this attach on a `chunks` server: watching whether its burst fills the buffer. */
  | { readonly kind: 'burst'; bytes: number; largest: number; lastAt: number };

/** One stream of one attach: what `skipReplayed` calls on it. */
interface StreamReplay {
  push(event: OutputEvent): void;
  /**
   * The attach ends: with its exit frame (`exited`), a cut or completion. A run the exit frame
   * interrupts was no replay (a cut one was: its chunks matched delivered ones); a drain's run is
   * proven, or its frames are delivered after a notice.
   */
  end(exited: boolean): void;
}

/** One stream of one attach; its state lives in this closure (two per attach). */
function streamReplay(
  cursor: ReplayCursor,
  stream: OutputStream,
  subscriber: Subscriber<ExecEvent>,
  drain: boolean,
  /** Read the host's loss markers as notices. */
  markers: boolean,
  fresh: boolean,
): StreamReplay {
  const LIVE: State = { kind: 'live' };
  let state: State = fresh ? LIVE : { kind: 'first' };
  const { ringBytes } = cursor;

  /**
   * Hands `event` on, counted in the cursor; the host's loss marker becomes its notice, in its
   * place (a joined event comes here only without one: see `push`).
   */
  const deliver = (event: OutputEvent): void => {
    const { data, frames } = event;
    cursor.record(stream, data, frames);
    const marker = markers && !frames ? readLossMarker(data) : undefined;
    subscriber.next(marker ? hostDropped(marker.stream, marker.bytes) : event);
  };

  const breakRun = (bytes: number, held: readonly OutputEvent[]): void => {
    state = LIVE;
    subscriber.next(runBroke(stream, bytes));
    for (const event of held) deliver(event);
  };

  /** A drain's run that could not be proven: every held frame, after a notice that some may repeat. */
  const giveUp = (run: Extract<State, { kind: 'drain-run' }>): void => {
    subscriber.next(overlapUnknown(stream, run.bytes));
    for (const event of run.held) deliver(event);
  };

  const first = (event: OutputEvent): void => {
    const delivered = cursor.deliveredBytes(stream);
    if (cursor.planShape(stream, event.data) === 'ring') {
      const alignment = alignRingReplay({ stream, delivered, history: cursor.history(stream), ringBytes, replay: event.data });
      state = LIVE;
      if (alignment.notice !== undefined) subscriber.next(alignment.notice);
      const rest = alignment.skip === 0 ? event.data : event.data.subarray(alignment.skip);
      // The ring frame holds the host's markers among the output: each is cut out and read on its own.
      for (const data of markers ? splitAtLossMarkers(rest) : [rest]) {
        if (data.length > 0) deliver(data === event.data ? event : { type: stream, data });
      }
      return;
    }
    if (delivered === 0) {
      state = { kind: 'burst', bytes: 0, largest: 0, lastAt: asyncScheduler.now() };
      push(event);
      return;
    }
    const input = {
      stream,
      delivered,
      history: cursor.history(stream),
      lengths: cursor.chunkLengths(stream),
      newestLength: cursor.newestChunkLength(stream),
      first: event.data,
    };
    const plan = planChunkReplay(input, drain);
    if (plan.kind === 'deliver') {
      state = LIVE;
      subscriber.next(plan.notice);
      deliver(event);
    } else if (plan.kind === 'run') {
      state = plan.expected.length === 0 ? LIVE : { kind: 'run', expected: plan.expected, bytes: plan.bytes, held: [event] };
    } else {
      const { length } = event.data;
      state = { kind: 'drain-run', expected: plan.expected, bytes: plan.bytes, held: [event], matched: 1, received: length, largest: length };
    }
  };

  const continueRun = (run: Extract<State, { kind: 'run' }>, event: OutputEvent): void => {
    const expected = run.expected[run.held.length - 1];
    if (expected === undefined || !bytesEqual(expected, event.data)) {
      breakRun(run.bytes, run.held);
      deliver(event);
      return;
    }
    run.held.push(event);
    if (run.held.length > run.expected.length) state = LIVE;
  };

  const continueDrainRun = (run: Extract<State, { kind: 'drain-run' }>, event: OutputEvent): void => {
    run.held.push(event);
    run.received += event.data.length;
    run.largest = Math.max(run.largest, event.data.length);
    const inRun = run.matched === run.held.length - 1 && run.matched <= run.expected.length;
    if (inRun && bytesEqual(run.expected[run.matched - 1] as Uint8Array, event.data)) run.matched += 1;
    else if (inRun) return breakRun(run.bytes, run.held);
    if (run.received + run.largest > ringBytes) {
      giveUp(run);
      state = LIVE;
    }
  };

  const continueBurst = (burst: Extract<State, { kind: 'burst' }>, event: OutputEvent): void => {
    const now = asyncScheduler.now();
    if (now - burst.lastAt > BURST_GAP_MS) {
      state = LIVE;
      deliver(event);
      return;
    }
    burst.lastAt = now;
    burst.bytes += event.data.length;
    burst.largest = Math.max(burst.largest, event.data.length);
    if (burst.bytes + burst.largest > ringBytes) {
      state = LIVE;
      subscriber.next(headMayBeMissing(stream, ringBytes));
    }
    deliver(event);
  };

  /** One frame's event while the replay is being decided. */
  const step = (event: OutputEvent): void => {
    const now = state;
    if (now.kind === 'live') deliver(event);
    else if (now.kind === 'first') first(event);
    else if (now.kind === 'run') continueRun(now, event);
    else if (now.kind === 'drain-run') continueDrainRun(now, event);
    else continueBurst(now, event);
  };

  /**
   * Live output goes on as it came; a joined event (`OutputEvent.frames`) that meets a replay
   * being decided, or holds a loss marker to read, is taken frame by frame.
   */
  const push = (event: OutputEvent): void => {
    const { data, frames } = event;
    if (!frames || (state.kind === 'live' && !(markers && holdsLossMarker(data, frames)))) return step(event);
    let at = 0;
    for (const length of frames) step({ type: stream, data: data.subarray(at, (at += length)) });
  };

  return {
    push,
    end(exited) {
      const now = state;
      if (now.kind === 'run' && exited) breakRun(now.bytes, now.held);
      if (now.kind !== 'drain-run') return;
      const proven = exited && now.matched > now.expected.length && now.received + now.largest <= ringBytes;
      if (!proven) giveUp(now);
      else for (const event of now.held.slice(now.matched)) deliver(event);
      state = LIVE;
    },
  };
}
