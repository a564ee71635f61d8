import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type Subscriber } from 'rxjs';
import { checkKeys, keysOf } from '../checkOptions.js';
import { alignRingReplay } from '../delivery/alignRing.js';
import { headMayBeMissing, hostDropped, overlapUnknown, runBroke } from '../delivery/notices.js';
import { bytesEqual } from '../delivery/overlap.js';
import { planChunkReplay } from '../delivery/planChunkReplay.js';
import type { ReplayCursor } from '../delivery/replayCursor.js';
import type { ExecEvent, OutputEvent } from '../events.js';
import { readLossMarker, splitAtLossMarkers } from '../protocol/lossMarker.js';
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
        stdout: new StreamReplay(cursor, 'stdout', subscriber, drain, markers, fresh),
        stderr: new StreamReplay(cursor, 'stderr', subscriber, drain, markers, fresh),
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

/** One stream of one attach. */
class StreamReplay {
  private state: State;

  constructor(
    private readonly cursor: ReplayCursor,
    private readonly stream: OutputStream,
    private readonly subscriber: Subscriber<ExecEvent>,
    private readonly drain: boolean,
    /** Read the host's loss markers as notices. */
    private readonly markers: boolean,
    fresh: boolean,
  ) {
    this.state = { kind: fresh ? 'live' : 'first' };
  }

  push(event: OutputEvent): void {
    const { state } = this;
    if (state.kind === 'live') this.deliver(event);
    else if (state.kind === 'first') this.first(event);
    else if (state.kind === 'run') this.continueRun(state, event);
    else if (state.kind === 'drain-run') this.continueDrainRun(state, event);
    else this.continueBurst(state, event);
  }

  /**
   * The attach ends: with its exit frame (`exited`), a cut or completion. A run the exit frame
   * interrupts was no replay (a cut one was: its chunks matched delivered ones); a drain's run is
   * proven, or its frames are delivered after a notice.
   */
  end(exited: boolean): void {
    const { state } = this;
    if (state.kind === 'run' && exited) this.breakRun(state.bytes, state.held);
    if (state.kind !== 'drain-run') return;
    const proven = exited && state.matched > state.expected.length && state.received + state.largest <= this.cursor.ringBytes;
    if (!proven) this.giveUp(state);
    else for (const event of state.held.slice(state.matched)) this.deliver(event);
    this.state = { kind: 'live' };
  }

  private first(event: OutputEvent): void {
    const { cursor, stream } = this;
    const delivered = cursor.deliveredBytes(stream);
    if (cursor.planShape(stream, event.data) === 'ring') {
      const alignment = alignRingReplay({ stream, delivered, history: cursor.history(stream), ringBytes: cursor.ringBytes, replay: event.data });
      this.state = { kind: 'live' };
      if (alignment.notice !== undefined) this.subscriber.next(alignment.notice);
      const fresh = alignment.skip === 0 ? event.data : event.data.subarray(alignment.skip);
      // The ring frame holds the host's markers among the output: each is cut out and read on its own.
      for (const data of this.markers ? splitAtLossMarkers(fresh) : [fresh]) {
        if (data.length > 0) this.deliver(data === event.data ? event : { type: stream, data });
      }
      return;
    }
    if (delivered === 0) {
      this.state = { kind: 'burst', bytes: 0, largest: 0, lastAt: asyncScheduler.now() };
      this.push(event);
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
    const plan = planChunkReplay(input, this.drain);
    if (plan.kind === 'deliver') {
      this.state = { kind: 'live' };
      this.subscriber.next(plan.notice);
      this.deliver(event);
    } else if (plan.kind === 'run') {
      this.state = plan.expected.length === 0 ? { kind: 'live' } : { kind: 'run', expected: plan.expected, bytes: plan.bytes, held: [event] };
    } else {
      const { length } = event.data;
      this.state = { kind: 'drain-run', expected: plan.expected, bytes: plan.bytes, held: [event], matched: 1, received: length, largest: length };
    }
  }

  private continueRun(state: Extract<State, { kind: 'run' }>, event: OutputEvent): void {
    const expected = state.expected[state.held.length - 1];
    if (expected === undefined || !bytesEqual(expected, event.data)) {
      this.breakRun(state.bytes, state.held);
      this.deliver(event);
      return;
    }
    state.held.push(event);
    if (state.held.length > state.expected.length) this.state = { kind: 'live' };
  }

  private breakRun(bytes: number, held: readonly OutputEvent[]): void {
    this.state = { kind: 'live' };
    this.subscriber.next(runBroke(this.stream, bytes));
    for (const event of held) this.deliver(event);
  }

  private continueDrainRun(state: Extract<State, { kind: 'drain-run' }>, event: OutputEvent): void {
    state.held.push(event);
    state.received += event.data.length;
    state.largest = Math.max(state.largest, event.data.length);
    const inRun = state.matched === state.held.length - 1 && state.matched <= state.expected.length;
    if (inRun && bytesEqual(state.expected[state.matched - 1] as Uint8Array, event.data)) state.matched += 1;
    else if (inRun) return this.breakRun(state.bytes, state.held);
    if (state.received + state.largest > this.cursor.ringBytes) {
      this.giveUp(state);
      this.state = { kind: 'live' };
    }
  }

  /** A drain's run that could not be proven: every held frame, after a notice that some may repeat. */
  private giveUp(state: Extract<State, { kind: 'drain-run' }>): void {
    this.subscriber.next(overlapUnknown(this.stream, state.bytes));
    for (const event of state.held) this.deliver(event);
  }

  private continueBurst(state: Extract<State, { kind: 'burst' }>, event: OutputEvent): void {
    const now = asyncScheduler.now();
    if (now - state.lastAt > BURST_GAP_MS) {
      this.state = { kind: 'live' };
      this.deliver(event);
      return;
    }
    state.lastAt = now;
    state.bytes += event.data.length;
    state.largest = Math.max(state.largest, event.data.length);
    if (state.bytes + state.largest > this.cursor.ringBytes) {
      this.state = { kind: 'live' };
      this.subscriber.next(headMayBeMissing(this.stream, this.cursor.ringBytes));
    }
    this.deliver(event);
  }

  /** Hands `event` on, counted in the cursor; the host's loss marker becomes its notice, in its place. */
  private deliver(event: OutputEvent): void {
    this.cursor.record(this.stream, event.data);
    const marker = this.markers ? readLossMarker(event.data) : undefined;
    this.subscriber.next(marker ? hostDropped(marker.stream, marker.bytes) : event);
  }
}
