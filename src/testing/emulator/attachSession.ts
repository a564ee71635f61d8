/**
 * One attached WebSocket (docs/protocol.md §3-4): the replay of both backlogs, then live frames through a
 * bounded per-subscriber queue, then the exit frame and Close 1000. Also pings, the idle
 * timeout, client control messages, and the faults of this attach attempt.
 *
 * The writer sends the live chunks queued at a time as one burst (one socket write, see `burst.ts`),
 * and the next burst only once that write called back (the bytes reached the kernel); a chunk
 * leaves the queue once written.
 * A client that does not read therefore stops the writer, the queue fills, and further live
 * chunks are dropped silently and counted, as the Go runner does. Per-frame faults (latency, a cut
 * after N bytes) make the writer send one frame at a time.
 *
 * The session ends when the server notices the socket is gone: at its `close` event, or, after a
 * half-open cut (`CutFault.how: 'half-open'`), only at the idle deadline, whatever the socket does.
 */

import { interval, startWith, Subject, Subscription, switchMap, timer } from 'rxjs';
import type { Duplex } from 'node:stream';
import { setImmediate } from 'node:timers';
import type { RawData, WebSocket } from 'ws';
import { isTerminalDimension } from '../../limits.js';
import { encodeErrorFrame, encodeExitFrame, encodeOutputFrame } from '../../protocol/frames.js';
import { CLOSE_GOING_AWAY, CLOSE_NORMAL, SIGNAL_WHITELIST, type OutputStream } from '../../protocol/types.js';
import { sendBurst, sendTruncatedFrame } from './burst.js';
import type { EmulatorEvent } from './events.js';
import type { Execution, ExecutionEvent } from './execution.js';
import { injectedFrame, type AttachFault } from './faults.js';
import type { ResolvedOptions } from './options.js';
import { READ_ONLY_CLOSE, readOnlyErrorFrame } from './readOnly.js';
import type { MutableStats } from './stats.js';

/** Everything a session needs. */
export interface AttachSessionInit {
  readonly ws: WebSocket;
  /** The connection under `ws`: ended right after the server's own Close that follows the exit frame. */
  readonly socket: Duplex;
  readonly execution: Execution;
  /** The token holding the execution's attach slot; released when the socket is gone. */
  readonly slotToken: object;
  readonly fault: AttachFault | undefined;
  /**
   * A read-only socket, and whose reading (`readOnly.ts`): `'serve'` refuses every write with an
   * error frame (a stdin frame also with Close 1008); `'runner'` holds no slot, is not the attached
   * client a script waits for, ignores stdin frames, refuses `stdin_eof`, honours resize and signal.
   */
  readonly readOnly?: 'serve' | 'runner';
  readonly options: ResolvedOptions;
  readonly stats: MutableStats;
  readonly emit: (event: EmulatorEvent) => void;
}

/** The code `ws` reports for a connection that ended without a Close frame. */
const CLOSE_ABNORMAL = 1006;

/** A burst stops growing once it holds this many bytes, so the socket is fed while the next one is built. */
const MAX_BURST_BYTES = 1024 * 1024;

/** The counter of each control message a read-only socket may receive. */
const READ_ONLY_COUNTERS: ReadonlyMap<unknown, 'readOnlyStdinEofs' | 'readOnlyResizes' | 'readOnlySignals'> = new Map([
  ['stdin_eof', 'readOnlyStdinEofs'],
  ['resize', 'readOnlyResizes'],
  ['signal', 'readOnlySignals'],
] as const);

type OutputItem = { readonly kind: 'output'; readonly stream: OutputStream; readonly data: Uint8Array };
type LiveItem = OutputItem | { readonly kind: 'exit'; readonly exitCode: number };

/** See the file comment. */
export class AttachSession {
  /** Resolves once the server noticed the socket is gone. */
  readonly closed: Promise<void>;

  private readonly ws: WebSocket;
  private readonly execution: Execution;
  private readonly init: AttachSessionInit;
  private readonly fault: AttachFault | undefined;
  private readonly subscriptions = new Subscription();
  private readonly pings: Subscription;
  private readonly activity$ = new Subject<void>();
  private liveFeed: Subscription | undefined;
  private readonly live: LiveItem[] = [];
  private queuedOutput = 0;
  private wake: (() => void) | undefined;
  private outputBytesSent = 0;
  private holdSlotMs = 0;
  /** Set by a half-open cut: nothing is written or read any more, and only the idle deadline ends the session. */
  private halfOpen = false;
  private isClosed = false;
  private resolveClosed!: () => void;

  constructor(init: AttachSessionInit) {
    this.init = init;
    this.ws = init.ws;
    this.execution = init.execution;
    this.fault = init.fault;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    init.stats.attaches += 1;
    init.stats.openSockets += 1;
    if (init.readOnly !== undefined) init.stats.readOnlyAttaches += 1;

    // Snapshot and subscribe in the same tick: no chunk can fall between replay and live.
    const replay = this.snapshotReplay();
    if (this.execution.isTerminal) {
      this.live.push({ kind: 'exit', exitCode: this.execution.exitCode ?? -1 });
    } else {
      this.liveFeed = this.execution.events$.subscribe((event) => this.onExecutionEvent(event));
    }

    this.ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.ws.on('pong', () => this.heard());
    this.ws.on('ping', () => this.heard());
    this.ws.on('error', () => undefined);
    this.ws.on('close', (code: number) => {
      if (!this.halfOpen) this.finish(code);
    });
    const { pingIntervalMs, idleTimeoutMs } = init.options;
    this.pings = interval(pingIntervalMs).subscribe(() => {
      if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
    });
    this.subscriptions.add(this.pings);
    this.subscriptions.add(
      this.activity$.pipe(startWith(undefined), switchMap(() => timer(idleTimeoutMs))).subscribe(() => {
        init.stats.idleTimeouts += 1;
        this.terminate();
      }),
    );

    if (init.readOnly !== 'runner') this.execution.sessionStarted(() => init.options.subscriberQueueChunks - this.queuedOutput);
    void this.pump(replay);
  }

  /** Drops the socket at once (emulator shutdown, idle deadline). */
  terminate(): void {
    this.ws.terminate();
    if (this.halfOpen) this.finish(CLOSE_ABNORMAL);
  }

  // ----- the writer -----

  private async pump(replay: readonly LiveItem[]): Promise<void> {
    const fault = this.fault;
    const cut = fault?.cut;
    if (fault?.firstFrameDelayMs !== undefined && !(await this.sleep(fault.firstFrameDelayMs))) return;
    for (const kind of fault?.inject ?? []) {
      if (!(await this.send(injectedFrame(kind)))) return;
    }
    if (cut?.after === 'upgrade') return this.cut();
    for (const item of replay) {
      if (item.kind === 'output' && !(await this.sendOutput(item.stream, item.data))) return;
    }
    if (cut?.after === 'replay') return this.cut();
    let unyielded = 0;
    for (;;) {
      if (this.queuedOutput < this.init.options.subscriberQueueChunks) this.execution.roomFreed();
      const item = await this.nextLive();
      if (item === undefined) return;
      if (item.kind === 'output') {
        const sent = await this.sendLive(item);
        if (sent === 0) return;
        // A client that keeps up takes every burst at once, and the next one would follow in the
        // same turn of the loop: after a queue's worth of chunks, yield, so the process that hosts
        // the emulator (a test) runs too.
        unyielded += sent;
        if (unyielded >= this.init.options.subscriberQueueChunks) {
          unyielded = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
        continue;
      }
      this.stopLiveFeed();
      if (cut?.after === 'before-exit') return this.cut();
      if (fault?.suppressExit === true) return;
      if (!(await this.send(encodeExitFrame(item.exitCode)))) return;
      return this.closeAfterExit();
    }
  }

  /**
   * Sends `first` and, unless a per-frame fault is set, the output chunks queued behind it, in one
   * burst; they leave the queue once written. How many were sent: 0 once the socket is done.
   */
  private async sendLive(first: OutputItem): Promise<number> {
    const fault = this.fault;
    const oneByOne = fault?.frameLatencyMs !== undefined || typeof fault?.cut?.after === 'object';
    let count = 0;
    for (let bytes = first.data.length; !oneByOne && count < this.live.length && bytes < MAX_BURST_BYTES; count += 1) {
      const item = this.live[count] as LiveItem;
      if (item.kind !== 'output') break;
      bytes += item.data.length;
    }
    const rest = this.live.splice(0, count) as OutputItem[];
    const sent = count === 0 ? await this.sendOutput(first.stream, first.data) : await this.sendBurst([first, ...rest]);
    this.queuedOutput -= 1 + count;
    return sent ? 1 + count : 0;
  }

  /** Sends output chunks in one write and waits until it reached the kernel. False if the socket closed meanwhile. */
  private async sendBurst(chunks: readonly OutputItem[]): Promise<boolean> {
    if (this.isClosed || this.ws.readyState !== this.ws.OPEN) return false;
    const written = sendBurst(this.ws, chunks);
    for (const { data } of chunks) {
      this.init.stats.framesSent += 1;
      this.init.stats.bytesSent += data.length + 1;
    }
    const ok = await Promise.race([written, this.closed.then(() => false)]);
    return ok && !this.isClosed;
  }

  /**
   * Sends one output frame, honouring a `{ outputBytes }` cut: the frame that crosses the count is
   * cut in the middle on the wire, so the client never receives it. False once the socket is done.
   */
  private async sendOutput(stream: OutputStream, data: Uint8Array): Promise<boolean> {
    const after = this.fault?.cut?.after;
    if (typeof after === 'object') {
      const room = after.outputBytes - this.outputBytesSent;
      if (data.length > room) {
        // The connection ends inside this frame; a Close frame cannot follow half a frame.
        if (room > 0 && this.fault?.cut?.how !== 'close' && !this.isClosed) {
          sendTruncatedFrame(this.ws, { stream, data }, room);
          this.init.stats.bytesSent += room;
        }
        this.cut();
        return false;
      }
    }
    if (!(await this.send(encodeOutputFrame(stream, data)))) return false;
    this.outputBytesSent += data.length;
    if (typeof after === 'object' && this.outputBytesSent === after.outputBytes) {
      this.cut();
      return false;
    }
    return true;
  }

  /** Sends one frame and waits until `ws` wrote it. False if the socket closed meanwhile. */
  private async send(frame: Uint8Array | string): Promise<boolean> {
    const latency = this.fault?.frameLatencyMs;
    if (latency !== undefined && latency > 0 && !(await this.sleep(latency))) return false;
    if (this.isClosed || this.ws.readyState !== this.ws.OPEN) return false;
    const written = new Promise<boolean>((resolve) => {
      this.ws.send(frame, { binary: typeof frame !== 'string' }, (error) => resolve(error == null));
    });
    this.init.stats.framesSent += 1;
    this.init.stats.bytesSent += typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    const ok = await Promise.race([written, this.closed.then(() => false)]);
    return ok && !this.isClosed;
  }

  private cut(): void {
    const cut = this.fault?.cut;
    this.stopLiveFeed();
    if (cut === undefined || this.isClosed) return;
    this.init.stats.cuts += 1;
    this.holdSlotMs = cut.holdSlotMs ?? 0;
    if (cut.how === 'half-open') this.goSilent();
    else if (cut.how === 'close') this.ws.close(cut.code ?? CLOSE_GOING_AWAY);
    else this.ws.terminate();
  }

  /**
   * A half-open cut: no more frames or pings, and nothing read (the socket is paused, so not even
   * a pong or a Close is answered). The idle timer, no longer reset, ends the session.
   */
  private goSilent(): void {
    this.halfOpen = true;
    this.pings.unsubscribe();
    this.ws.pause();
  }

  /**
   * Close 1000 right after the exit frame. The Go runner then ends the connection once the Close is
   * written, without waiting for the client's; a newer runner waits up to `slotHoldAfterExitMs`
   * for it, holding the slot (a re-attach gets 409), and ends the connection when the wait runs out.
   * Only the sending side (FIN): a reset would discard output still in flight.
   */
  private async closeAfterExit(): Promise<void> {
    if (this.isClosed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.close(CLOSE_NORMAL);
    const hold = this.init.options.slotHoldAfterExitMs;
    if (hold > 0 && !(await this.sleep(hold))) return;
    if (!this.isClosed) this.init.socket.end();
  }

  /** Resolves true after `ms`, or false as soon as the socket is gone. */
  private sleep(ms: number): Promise<boolean> {
    if (this.isClosed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const subscription = timer(ms).subscribe(() => {
        this.subscriptions.remove(subscription);
        resolve(true);
      });
      subscription.add(() => resolve(false));
      this.subscriptions.add(subscription);
    });
  }

  // ----- the live queue -----

  private onExecutionEvent(event: ExecutionEvent): void {
    if (event.type === 'exit') {
      this.enqueue({ kind: 'exit', exitCode: event.exitCode });
      return;
    }
    if (this.queuedOutput >= this.init.options.subscriberQueueChunks) {
      this.init.stats.droppedChunks += 1;
      this.init.stats.droppedBytes += event.data.length;
      this.init.emit({ type: 'dropped', executionId: this.execution.id, stream: event.stream, bytes: event.data.length });
      return;
    }
    this.queuedOutput += 1;
    this.enqueue({ kind: 'output', stream: event.stream, data: event.data });
  }

  private enqueue(item: LiveItem): void {
    this.live.push(item);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async nextLive(): Promise<LiveItem | undefined> {
    for (;;) {
      if (this.isClosed) return undefined;
      const item = this.live.shift();
      if (item !== undefined) return item;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private stopLiveFeed(): void {
    this.liveFeed?.unsubscribe();
    this.liveFeed = undefined;
  }

  private snapshotReplay(): LiveItem[] {
    const items: LiveItem[] = [];
    const backlogs = [
      ['stdout', this.execution.stdout],
      ['stderr', this.execution.stderr],
    ] as const;
    for (const [stream, backlog] of backlogs) {
      for (const data of backlog.replayFrames()) items.push({ kind: 'output', stream, data });
    }
    return items;
  }

  // ----- client → server -----

  /** A pong, a ping or a message reset the idle deadline, unless the connection is half-open. */
  private heard(): void {
    if (!this.halfOpen) this.activity$.next();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.halfOpen) return;
    this.heard();
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary && this.init.readOnly !== undefined) {
      this.init.stats.readOnlyStdinFrames += 1;
      if (this.init.readOnly === 'serve') {
        this.sendFrame(readOnlyErrorFrame('stdin'));
        this.ws.close(READ_ONLY_CLOSE.code, READ_ONLY_CLOSE.reason);
      }
      return;
    }
    if (isBinary) {
      this.execution.writeStdin(bytes);
      return;
    }
    this.onControl(bytes.toString('utf8'));
  }

  private onControl(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.sendError('malformed control message: invalid JSON');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return this.sendError('malformed control message: not a JSON object');
    }
    const fields = message as Record<string, unknown>;
    if (this.refusedReadOnly(fields.type)) return;
    switch (fields.type) {
      case 'stdin_eof':
        this.execution.endStdin();
        return;
      case 'signal': {
        const sig = fields.sig;
        if (typeof sig !== 'number' || !Number.isInteger(sig)) return this.sendError('malformed signal message: sig must be an integer');
        if (!SIGNAL_WHITELIST.has(sig)) return this.sendError(`signal ${sig} is not allowed`);
        if (!this.execution.signal(sig, 'attach')) this.sendError(`execution ${this.execution.id} is not running`);
        return;
      }
      case 'resize': {
        if (!isTerminalDimension(fields.cols) || !isTerminalDimension(fields.rows)) {
          return this.sendError('malformed resize message: cols and rows must be integers in 1..65535');
        }
        if (!this.execution.tty) return this.sendError(`execution ${this.execution.id} is not a TTY`);
        if (this.execution.isTerminal) return this.sendError(`execution ${this.execution.id} is not running`);
        this.execution.resize(fields.cols, fields.rows);
        return;
      }
      default:
        this.sendError(`unknown control message type ${JSON.stringify(fields.type) ?? 'undefined'}`);
    }
  }

  /** Counts a control message on a read-only socket; true when its reading refuses it (error frame sent). */
  private refusedReadOnly(type: unknown): boolean {
    const readOnly = this.init.readOnly;
    const counter = READ_ONLY_COUNTERS.get(type);
    if (readOnly === undefined || counter === undefined) return false;
    this.init.stats[counter] += 1;
    if (readOnly === 'runner' && type !== 'stdin_eof') return false;
    this.sendFrame(readOnlyErrorFrame(type as string));
    return true;
  }

  /** A non-fatal error frame, written at once (outside the output queue). */
  private sendError(message: string): void {
    this.sendFrame(encodeErrorFrame(message));
  }

  /** A text frame, written at once (outside the output queue). */
  private sendFrame(frame: string): void {
    if (this.isClosed || this.ws.readyState !== this.ws.OPEN) return;
    this.init.stats.framesSent += 1;
    this.init.stats.bytesSent += Buffer.byteLength(frame);
    this.ws.send(frame);
  }

  // ----- end -----

  /** The server noticed the socket is gone: stop everything and release the slot. */
  private finish(code: number): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.stopLiveFeed();
    this.subscriptions.unsubscribe();
    this.activity$.complete();
    this.live.length = 0;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    this.init.stats.openSockets -= 1;
    if (this.init.readOnly !== 'runner') this.execution.sessionEnded();
    this.init.emit({ type: 'detach', executionId: this.execution.id, code });
    this.execution.releaseSlot(this.init.slotToken, this.holdSlotMs);
    this.resolveClosed();
  }
}
