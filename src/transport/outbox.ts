import { Subscription, type Observable } from 'rxjs';
import { Relay } from './relay.js';
import { encodeControlMessage } from '../protocol/frames.js';
import { checkKeys, keysOf } from '../checkOptions.js';
import { MAX_STDIN_FRAME_BYTES, isTerminalDimension } from '../limits.js';
import { signalProblem } from '../protocol/types.js';
import type { SocketHandle } from './webSocket.js';

/** What the client sends to the process, as observables the user owns. */
export interface AttachInput {
  /** Stdin bytes (strings are sent as UTF-8). Completing it sends `stdin_eof`. */
  readonly stdin?: Observable<Uint8Array | string>;
  /** Terminal size changes (TTY executions). */
  readonly resize?: Observable<{ readonly cols: number; readonly rows: number }>;
  /** Signals to deliver in-band (whitelisted numbers only; SIGKILL goes through `kill`). */
  readonly signal?: Observable<number>;
}

/** Every key of `AttachInput`: the compiler checks that the table names each one. */
const INPUT_KEYS = /* @__PURE__ */ keysOf<AttachInput>({ stdin: true, resize: true, signal: true });

// Pure: nothing runs on import, so a bundle that does not use the outbox drops both.
const STDIN_EOF = /* @__PURE__ */ encodeControlMessage({ type: 'stdin_eof' });
const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Carries stdin and control messages across sockets.
 *
 * Invariant: stdin bytes and signals are each sent once, in the order the inputs emitted them, to
 * the socket open at that moment or, while none is, to the next one that opens, and every socket
 * that opens is also sent the latest resize and, once stdin has ended, `stdin_eof`
 * (docs/protocol.md §5).
 *
 * ```
 * stdin:    -a----b----c--|
 * sockets:  ----[---]----[---]--[--   [ a socket opens, ] it is cut
 * sent:     ----a-b------cE-----E     a and c waited for a socket; E: stdin_eof, once per socket
 * ```
 *
 * `start()` subscribes to the inputs (at the latest, the first `connect` does); from then on,
 * whatever is written while no socket is open is queued: stdin bytes and signals in order, and
 * only the latest resize. A new socket is sent the last resize, then the queue, then `stdin_eof`
 * again if stdin had ended. A bad value or an erroring input is reported on `failures`.
 *
 * @example
 * const outbox = new Outbox({ stdin }).start(); // queues from now on
 * attach({ ...config, outbox }).pipe(finalize(() => outbox.dispose())).subscribe();
 */
export class Outbox {
  private readonly queue: (Uint8Array | string)[] = [];
  private resize: string | undefined;
  private eof = false;
  private socket: SocketHandle | undefined;
  private started = false;
  /**
   * The start gate's line (docs/delivery.md, "Start gate"). While it is set, every socket that
   * opens is sent it first, then all stdin and signals so far: until the gate is seen open,
   * nothing sent has reached the command, so what a cut took is sent again whole.
   */
  gate: string | undefined;
  private readonly subscription = new Subscription();
  private readonly failed = new Relay<never>();
  /** Errors once with a `TypeError`/`RangeError` for bad input, or the input's own error. */
  readonly failures: Observable<never> = this.failed.events;
  private readonly opened = new Relay<void>();
  /** Emits each time a socket opens (the server accepted an attach): a sign of progress. */
  readonly opens: Observable<void> = this.opened.events;

  /** @throws TypeError when `input` is not an object or has a key `AttachInput` does not name. */
  constructor(private readonly input: AttachInput) {
    checkKeys('input', 'options', input, INPUT_KEYS);
  }

  /**
   * Subscribes to the inputs; what they emit is queued until a socket opens. Calls after the
   * first, and calls after `dispose`, do nothing.
   */
  start(): this {
    if (this.started || this.subscription.closed) return this;
    this.started = true;
    const fail = (error: unknown): void => this.failed.error(error);
    const { stdin, resize, signal } = this.input;
    if (stdin) {
      this.subscription.add(stdin.subscribe({
        next: (chunk) => this.writeStdin(chunk),
        error: fail,
        complete: () => {
          this.eof = true;
          this.push(STDIN_EOF);
        },
      }));
    }
    if (resize) {
      this.subscription.add(resize.subscribe({
        next: ({ cols, rows }) => {
          if (!isTerminalDimension(cols) || !isTerminalDimension(rows)) {
            fail(new RangeError(`resize: cols and rows must be integers from 1 to 65535, got ${cols}x${rows}`));
            return;
          }
          this.resize = encodeControlMessage({ type: 'resize', cols, rows });
          if (this.socket?.isOpen()) this.socket.send(this.resize);
        },
        error: fail,
      }));
    }
    if (signal) {
      this.subscription.add(signal.subscribe({
        next: (sig) => {
          const problem = signalProblem(sig);
          if (problem !== undefined) {
            fail(new RangeError(problem));
            return;
          }
          this.push(encodeControlMessage({ type: 'signal', sig }));
        },
        error: fail,
      }));
    }
    return this;
  }

  private writeStdin(chunk: Uint8Array | string): void {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      this.failed.error(new TypeError('stdin: chunks must be Uint8Array or string'));
      return;
    }
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    for (let offset = 0; offset < bytes.length; offset += MAX_STDIN_FRAME_BYTES) {
      this.push(bytes.subarray(offset, offset + MAX_STDIN_FRAME_BYTES));
    }
  }

  private push(message: Uint8Array | string): void {
    const open = this.socket?.isOpen();
    if (open) this.socket?.send(message);
    if (!open || this.gate) this.queue.push(message);
  }

  /** A byte or the exit arrived: the gate is open, and what was sent is the command's. */
  gateOpened(): void {
    if (this.gate) this.queue.length = 0;
    this.gate = undefined;
  }

  /**
   * A socket opened: it is sent the last resize, then the queue, then `stdin_eof` again if stdin
   * had ended; then the inputs go to it live (`start()` is called if it was not). A disposed
   * outbox sends nothing.
   */
  connect(socket: SocketHandle): void {
    if (this.subscription.closed) return;
    this.socket = socket;
    if (socket.isOpen()) {
      if (this.gate) socket.send(encoder.encode(this.gate));
      if (this.resize !== undefined) socket.send(this.resize);
      const pending = this.gate ? [...this.queue] : this.queue.splice(0);
      for (const message of pending) socket.send(message);
      if (this.eof && !pending.includes(STDIN_EOF)) socket.send(STDIN_EOF);
    }
    this.start();
    this.opened.next();
  }

  /** The socket is gone: queue from now on. */
  disconnect(socket: SocketHandle): void {
    if (this.socket === socket) this.socket = undefined;
  }

  /** Stops reading the inputs and drops what is queued. */
  dispose(): void {
    this.subscription.unsubscribe();
    this.socket = undefined;
    this.queue.length = 0;
  }
}
