/**
 * A model BoxLite runner for one execution, on virtual time: the process writes output on a
 * schedule into a per-stream ring (docs/protocol.md §4), and every attach subscription gets the replay of
 * the current ring, then live frames, then the exit frame, unless its plan refuses or cuts it.
 * Probes answer by plan too. Every subscription is counted, so a test can show none is left open.
 *
 * It speaks in `ExecEvent`s, as `FollowContext.attach` does: frames are already decoded, and a
 * cut is the `AttachDisconnectedError` the real attach raises, late by the plan's detection delay.
 * Like the real attach, it tells the client's `Outbox` when a socket opens (`connect`, at the
 * upgrade, before any frame) and when it is gone (`disconnect`, at the subscription's end); a
 * refused connect or a failed token provider opens none.
 */
import { Observable, type SchedulerAction, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { AttachDisconnectedError, AttachRejectedError, TokenProviderError } from '../../src/errors.js';
import type { ExecEvent } from '../../src/events.js';
import type { ProbeResult } from '../../src/protocol/probeResult.js';
import type { OutputStream } from '../../src/protocol/types.js';
import type { Outbox } from '../../src/transport/outbox.js';
import type { SocketHandle } from '../../src/transport/webSocket.js';

/** One write of the process, at an absolute virtual time. */
export interface ModelWrite {
  readonly at: number;
  readonly stream: OutputStream;
  readonly data: Uint8Array;
}

/** What the process does: its writes (in time order), then its exit. */
export interface ModelProcess {
  readonly writes: readonly ModelWrite[];
  readonly exitAt: number;
  readonly exitCode: number;
}

/** Where an attach is cut. */
export type CutPoint =
  /** Right after the upgrade, before any frame. */
  | { readonly at: 'start' }
  /** After `n` frames (replay, live and exit frames all count); no cut if fewer come. */
  | { readonly at: 'frames'; readonly n: number }
  /** Inside the replay: after `n % replayFrames` frames. */
  | { readonly at: 'replay'; readonly n: number }
  /** All output sent, the exit frame never is. */
  | { readonly at: 'before-exit' }
  /** `ms` virtual ms after the upgrade, whatever was sent by then (0: before any frame). */
  | { readonly at: 'after'; readonly ms: number };

/** What one attach subscription does. */
export type AttachPlan = {
  /**
   * Virtual ms from the subscription to the upgrade (or the refusal). For `token`: until the
   * provider fails; 0: it throws at once, inside the subscription.
   */
  readonly connectMs: number;
  /** Virtual ms between two frames of this socket (0: a burst). */
  readonly frameGapMs: number;
  /** Replay stderr before stdout. */
  readonly stderrFirst: boolean;
} & (
  | { readonly kind: 'healthy' }
  /** 409: the slot is held; 502: a proxy; 404: evicted (docs/protocol.md §6 case 4). */
  | { readonly kind: 'refuse'; readonly status: 409 | 502 | 404 }
  /** The token provider fails before any connection is made (a `TokenProviderError`): no upgrade. */
  | { readonly kind: 'token' }
  /** `detectMs`: how long the client takes to notice the cut. */
  | { readonly kind: 'cut'; readonly point: CutPoint; readonly detectMs: number }
);

/** What one probe subscription answers, after `delayMs`. */
export interface ProbePlan {
  readonly delayMs: number;
  /** `truth`: terminal once the process ended, else running; `empty`: completes without a value. */
  readonly answer: 'truth' | 'unavailable' | 'gone' | 'empty';
}

/** The replay framing of the server. */
export type ReplayMode = 'single' | 'chunked';

/** Everything the model runs. Attaches and probes past their plans are healthy and truthful. */
export interface ModelSpec {
  readonly ringBytes: number;
  readonly replay: ReplayMode;
  readonly process: ModelProcess;
  readonly attaches: readonly AttachPlan[];
  readonly probes: readonly ProbePlan[];
  /** Attaches subscribed once the process has ended skip their plan and are healthy (the plan is used up all the same). */
  readonly healthyAfterExit?: boolean;
}

const HEALTHY: AttachPlan = { kind: 'healthy', connectMs: 1, frameGapMs: 0, stderrFirst: false };
const TRUTH: ProbePlan = { delayMs: 1, answer: 'truth' };
const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];

/**
 * The output store of one stream, shaped by the server modelled (docs/protocol.md §4). `'single'` (Go
 * runner): a byte ring holding the last `capacity` bytes, a partly dropped chunk trimmed to its
 * newest bytes, replayed as one frame. `'chunked'` (`boxlite serve`): whole chunks, the longest
 * suffix of the writes of at most `capacity` bytes (or the newest chunk alone if it is larger),
 * replayed as one frame per chunk.
 */
export class ModelRing {
  private chunks: Uint8Array[] = [];
  private size = 0;
  /** Bytes dropped so far: the stream offset of the oldest byte held. */
  dropped = 0;

  constructor(
    private readonly capacity: number,
    private readonly mode: ReplayMode,
  ) {}

  push(data: Uint8Array): void {
    this.chunks.push(data);
    this.size += data.length;
    while (this.size > this.capacity && (this.mode === 'single' || this.chunks.length > 1)) {
      const oldest = this.chunks[0] as Uint8Array;
      const drop = this.mode === 'single' ? Math.min(oldest.length, this.size - this.capacity) : oldest.length;
      if (drop === oldest.length) this.chunks.shift();
      else this.chunks[0] = oldest.subarray(drop);
      this.size -= drop;
      this.dropped += drop;
    }
  }

  /** Whether a byte was ever dropped. */
  get wrapped(): boolean {
    return this.dropped > 0;
  }

  /**
   * Whether the ring ever held `capacity` bytes or more: a full ring cannot be told from a wrapped
   * one. A whole-chunk backlog that dropped a chunk held more than `capacity` just before.
   */
  get filled(): boolean {
    return this.wrapped || this.size >= this.capacity;
  }

  /** The replay frames: one per stored chunk, or all of them joined. */
  frames(): Uint8Array[] {
    if (this.size === 0) return [];
    if (this.mode === 'chunked') return [...this.chunks];
    const joined = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    return [joined];
  }
}

/** Counts subscriptions to one kind of observable. */
export class SubscriptionLog {
  opened = 0;
  closed = 0;

  /** Records a subscription; returns the function to call on its teardown. */
  open(): () => void {
    this.opened += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.closed += 1;
    };
  }
}

type Item = { readonly kind: 'output'; readonly event: ExecEvent } | { readonly kind: 'exit' };

/** The client's end of one model socket, as the `Outbox` sees it: open until the attach subscription ends. */
class ModelSocket implements SocketHandle {
  open = true;
  /** What the outbox sent over this socket. */
  readonly sent: (string | Uint8Array)[] = [];
  readonly isOpen = (): boolean => this.open;

  send(data: string | Uint8Array): void {
    this.sent.push(data);
  }

  dispose(): void {
    // The model's teardown closes it (see `ModelRunner.attach`).
  }
}

/** What an attach session needs from its runner. */
interface SessionHost {
  readonly scheduler: SchedulerLike;
  readonly exitCode: number;
  readonly ended: boolean;
  /** The replay of both rings, in the plan's stream order. */
  replay(stderrFirst: boolean): Item[];
  /** Registers for live items (output, then the exit); returns the unregistering function. */
  listen(listener: (item: Item) => void): () => void;
}

/** One upgraded attach: sends its queue (replay, live, exit) frame by frame, or cuts as planned. */
class AttachSession {
  private readonly queue: Item[];
  private readonly replayFrames: number;
  private readonly actions: Subscription[] = [];
  private unlisten: (() => void) | undefined;
  private sent = 0;
  private busy = false;
  private dead = false;

  constructor(
    private readonly host: SessionHost,
    private readonly plan: AttachPlan,
    private readonly subscriber: Subscriber<ExecEvent>,
  ) {
    this.queue = host.replay(plan.stderrFirst);
    this.replayFrames = this.queue.length;
  }

  /** Sends the replay and follows the live output (or the exit, if the process ended). */
  start(): void {
    if (this.host.ended) this.queue.push({ kind: 'exit' });
    else {
      this.unlisten = this.host.listen((item) => {
        this.queue.push(item);
        this.pump();
      });
    }
    const { plan } = this;
    const point = plan.kind === 'cut' ? plan.point : undefined;
    if (point?.at === 'start' || (point?.at === 'after' && point.ms === 0)) return this.cut();
    if (point?.at === 'after') this.later(point.ms, () => this.cut());
    this.pump();
  }

  /** Stops everything (the subscriber unsubscribed). */
  dispose(): void {
    this.unlisten?.();
    for (const action of this.actions) action.unsubscribe();
  }

  /** Runs `work` after `delay` virtual ms unless the session is disposed first. */
  private later(delay: number, work: () => void): void {
    this.actions.push(this.host.scheduler.schedule(work as (this: SchedulerAction<unknown>) => void, delay));
  }

  private cutsBefore(item: Item): boolean {
    const { plan } = this;
    if (plan.kind !== 'cut') return false;
    const { point } = plan;
    if (point.at === 'frames') return this.sent === point.n;
    if (point.at === 'replay') return this.sent === point.n % Math.max(1, this.replayFrames);
    return point.at === 'before-exit' && item.kind === 'exit';
  }

  private cut(): void {
    this.dead = true;
    this.unlisten?.();
    const detectMs = this.plan.kind === 'cut' ? this.plan.detectMs : 0;
    this.later(detectMs, () => this.subscriber.error(new AttachDisconnectedError('attach: cut by the model', 1006)));
  }

  private send(): void {
    const item = this.queue.shift() as Item;
    if (this.cutsBefore(item)) return this.cut();
    this.sent += 1;
    if (item.kind === 'output') return this.subscriber.next(item.event);
    this.subscriber.next({ type: 'exit', exitCode: this.host.exitCode, source: 'frame' });
    this.subscriber.complete();
  }

  private pump(): void {
    while (!this.dead && !this.busy && this.queue.length > 0 && !this.subscriber.closed) {
      if (this.plan.frameGapMs === 0) {
        this.send();
        continue;
      }
      this.busy = true;
      this.later(this.plan.frameGapMs, () => {
        this.busy = false;
        this.send();
        this.pump();
      });
    }
  }
}

/** See the file comment. Call `start` once, inside the `TestScheduler` run, before subscribing. */
export class ModelRunner implements SessionHost {
  readonly rings: Record<OutputStream, ModelRing>;
  readonly attachLog = new SubscriptionLog();
  readonly probeLog = new SubscriptionLog();
  /** Sockets handed to the outbox (`connect`) and taken back (`disconnect`). */
  readonly socketLog = new SubscriptionLog();
  /** Whether a probe answered `gone` (the run must then end in `ExecutionGoneError`). */
  answeredGone = false;
  ended = false;
  /** Called at each upgrade with the stream offsets its replay starts at (bytes the rings dropped). */
  onUpgrade: ((from: Readonly<Record<OutputStream, number>>) => void) | undefined;
  private readonly produced: Record<OutputStream, number[]> = { stdout: [], stderr: [] };
  private readonly live = new Set<(item: Item) => void>();
  private attachIndex = 0;
  private probeIndex = 0;

  constructor(
    readonly scheduler: SchedulerLike,
    private readonly spec: ModelSpec,
  ) {
    this.rings = { stdout: new ModelRing(spec.ringBytes, spec.replay), stderr: new ModelRing(spec.ringBytes, spec.replay) };
  }

  get exitCode(): number {
    return this.spec.process.exitCode;
  }

  /** Schedules the process: every write, then the exit. */
  start(): void {
    const { writes, exitAt } = this.spec.process;
    for (const write of writes) {
      this.scheduler.schedule(() => {
        this.rings[write.stream].push(write.data);
        this.produced[write.stream].push(...write.data);
        const event: ExecEvent = { type: write.stream, data: write.data };
        for (const listener of this.live) listener({ kind: 'output', event });
      }, write.at);
    }
    this.scheduler.schedule(() => {
      this.ended = true;
      for (const listener of this.live) listener({ kind: 'exit' });
    }, exitAt);
  }

  /** Every output byte of `stream`, in order. */
  output(stream: OutputStream): Uint8Array {
    return Uint8Array.from(this.produced[stream]);
  }

  replay(stderrFirst: boolean): Item[] {
    const order = stderrFirst ? [...STREAMS].reverse() : STREAMS;
    return order.flatMap((stream) =>
      this.rings[stream].frames().map((data): Item => ({ kind: 'output', event: { type: stream, data } })),
    );
  }

  listen(listener: (item: Item) => void): () => void {
    this.live.add(listener);
    return () => this.live.delete(listener);
  }

  /**
   * One attach attempt per subscription, following the next plan. At the upgrade the socket is
   * handed to `outbox` (`connect`), before any frame, as the real attach does at the open; it is
   * taken back (`disconnect`) when the subscription ends.
   */
  attach(outbox?: Outbox): Observable<ExecEvent> {
    return new Observable<ExecEvent>((subscriber) => {
      const close = this.attachLog.open();
      const planned = this.spec.attaches[this.attachIndex] ?? HEALTHY;
      const plan = this.ended && this.spec.healthyAfterExit === true ? HEALTHY : planned;
      this.attachIndex += 1;
      if (plan.kind === 'token' && plan.connectMs === 0) {
        // A synchronous provider that throws: the attach errors inside its subscription.
        subscriber.error(new TokenProviderError('token provider threw (see cause)', 'threw'));
        return close;
      }
      let session: AttachSession | undefined;
      let socket: ModelSocket | undefined;
      let closeSocket: (() => void) | undefined;
      const connect = this.scheduler.schedule(() => {
        if (plan.kind === 'token') {
          subscriber.error(new TokenProviderError('token provider rejected (see cause)', 'rejected'));
          return;
        }
        if (plan.kind === 'refuse') {
          subscriber.error(new AttachRejectedError(`attach refused: HTTP ${plan.status}`, plan.status));
          return;
        }
        this.onUpgrade?.({ stdout: this.rings.stdout.dropped, stderr: this.rings.stderr.dropped });
        socket = new ModelSocket();
        closeSocket = this.socketLog.open();
        outbox?.connect(socket);
        session = new AttachSession(this, plan, subscriber);
        session.start();
      }, plan.connectMs);
      return () => {
        connect.unsubscribe();
        session?.dispose();
        if (socket !== undefined) {
          socket.open = false;
          outbox?.disconnect(socket);
          closeSocket?.();
        }
        close();
      };
    });
  }

  /** One status request per subscription, following the next plan. */
  probe(): Observable<ProbeResult> {
    return new Observable<ProbeResult>((subscriber) => {
      const close = this.probeLog.open();
      const plan = this.spec.probes[this.probeIndex] ?? TRUTH;
      this.probeIndex += 1;
      const action = this.scheduler.schedule(() => {
        if (plan.answer === 'gone') {
          this.answeredGone = true;
          subscriber.next({ state: 'gone', message: 'execution exec-1 not found' });
        } else if (plan.answer === 'unavailable') {
          subscriber.next({ state: 'unavailable', status: 503, reason: 'HTTP 503' });
        } else if (plan.answer === 'truth') {
          subscriber.next(
            this.ended
              ? { state: 'terminal', status: 'completed', exitCode: this.spec.process.exitCode }
              : { state: 'running' },
          );
        }
        subscriber.complete();
      }, plan.delayMs);
      return () => {
        action.unsubscribe();
        close();
      };
    });
  }
}
