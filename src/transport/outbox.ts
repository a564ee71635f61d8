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
  /**
   * The start gate's line (docs/delivery.md, "Start gate"). While it is set, every socket that
   * opens is sent it first, then all stdin and signals so far: until the gate is seen open,
   * nothing sent has reached the command, so what a cut took is sent again whole.
   */
  gate: string | undefined;
  /** Errors once with a `TypeError`/`RangeError` for bad input, or the input's own error. */
  readonly failures: Observable<never>;
  /** Emits each time a socket opens (the server accepted an attach): a sign of progress. */
  readonly opens: Observable<void>;
  /** Whether a socket has opened, set before `opens` emits (a flag, not one more subscription per execution). */
  opened = false;
  /**
   * Subscribes to the inputs; what they emit is queued until a socket opens. Calls after the
   * first, and calls after `dispose`, do nothing.
   */
  readonly start: () => this;
  /** A byte or the exit arrived: the gate is open, and what was sent is the command's. */
  readonly gateOpened: () => void;
  /**
   * A socket opened: it is sent the last resize, then the queue, then `stdin_eof` again if stdin
   * had ended; then the inputs go to it live (`start()` is called if it was not). A disposed
   * outbox sends nothing.
   */
  readonly connect: (socket: SocketHandle) => void;
  /** The socket is gone: queue from now on. */
  readonly disconnect: (socket: SocketHandle) => void;
  /** Stops reading the inputs and drops what is queued. */
  readonly dispose: () => void;

  /**
   * Its state lives in the constructor's closure (one outbox per execution or attach).
   *
   * @throws TypeError when `input` is not an object or has a key `AttachInput` does not name.
   */
  constructor(input: AttachInput) {
    checkKeys('input', 'options', input, INPUT_KEYS);
    const queue: (Uint8Array | string)[] = [];
    let resizeMessage: string | undefined;
    let eof = false;
    let current: SocketHandle | undefined;
    let started = false;
    const subscription = new Subscription();
    const failed = new Relay<never>();
    const opened = new Relay<void>();
    const fail = failed.error;
    this.failures = failed.events;
    this.opens = opened.events;
    const push = (message: Uint8Array | string): void => {
      const open = current?.isOpen();
      if (open) current?.send(message);
      if (!open || this.gate) queue.push(message);
    };
    const writeStdin = (chunk: Uint8Array | string): void => {
      if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
        fail(new TypeError('stdin: chunks must be Uint8Array or string'));
        return;
      }
      const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
      for (let offset = 0; offset < bytes.length; offset += MAX_STDIN_FRAME_BYTES) {
        push(bytes.subarray(offset, offset + MAX_STDIN_FRAME_BYTES));
      }
    };
    this.start = () => {
      if (started || subscription.closed) return this;
      started = true;
      const { stdin, resize, signal }: AttachInput = input;
      if (stdin) {
        subscription.add(stdin.subscribe({
          next: writeStdin,
          error: fail,
          complete: () => {
            eof = true;
            push(STDIN_EOF);
          },
        }));
      }
      if (resize) {
        subscription.add(resize.subscribe({
          next: ({ cols, rows }) => {
            if (!isTerminalDimension(cols) || !isTerminalDimension(rows)) {
              fail(new RangeError(`resize: cols and rows must be integers from 1 to 65535, got ${cols}x${rows}`));
              return;
            }
            resizeMessage = encodeControlMessage({ type: 'resize', cols, rows });
            if (current?.isOpen()) current.send(resizeMessage);
          },
          error: fail,
        }));
      }
      if (signal) {
        subscription.add(signal.subscribe({
          next: (sig) => {
            const problem = signalProblem(sig);
            if (problem !== undefined) {
              fail(new RangeError(problem));
              return;
            }
            push(encodeControlMessage({ type: 'signal', sig }));
          },
          error: fail,
        }));
      }
      return this;
    };
    this.gateOpened = () => {
      if (this.gate) queue.length = 0;
      this.gate = undefined;
    };
    this.connect = (socket) => {
      if (subscription.closed) return;
      current = socket;
      if (socket.isOpen()) {
        if (this.gate) socket.send(encoder.encode(this.gate));
        if (resizeMessage !== undefined) socket.send(resizeMessage);
        const pending = this.gate ? [...queue] : queue.splice(0);
        for (const message of pending) socket.send(message);
        if (eof && !pending.includes(STDIN_EOF)) socket.send(STDIN_EOF);
      }
      this.start();
      this.opened = true;
      opened.next();
    };
    this.disconnect = (socket) => {
      if (current === socket) current = undefined;
    };
    this.dispose = () => {
      subscription.unsubscribe();
      current = undefined;
      queue.length = 0;
    };
  }
}
