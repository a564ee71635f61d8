import { Subject, Subscription, type Observable } from 'rxjs';
import { encodeControlMessage } from '../protocol/frames.js';
import { isTerminalDimension, signalProblem } from '../protocol/types.js';
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

/** The runner's limit for one stdin frame. */
const MAX_STDIN_FRAME = 1024 * 1024;
const STDIN_EOF = encodeControlMessage({ type: 'stdin_eof' });
const encoder = new TextEncoder();

/**
 * Carries stdin and control messages across sockets. Whatever is written while no socket is
 * open is queued and sent once, in order, to the next socket; after the user's stdin completed,
 * every new socket is sent `stdin_eof` again. A bad value or an erroring input is reported on
 * `failures`.
 */
export class Outbox {
  private readonly queue: (Uint8Array | string)[] = [];
  private resize: string | undefined;
  private eof = false;
  private socket: SocketHandle | undefined;
  private subscription: Subscription | undefined;
  private readonly failed = new Subject<never>();
  /** Errors once with a `TypeError`/`RangeError` for bad input, or the input's own error. */
  readonly failures: Observable<never> = this.failed.asObservable();

  constructor(private readonly input: AttachInput) {}

  /** Subscribes to the inputs; called once, on the first connection. */
  private start(): void {
    const subscription = new Subscription();
    this.subscription = subscription;
    const fail = (error: unknown): void => this.failed.error(error);
    const { stdin, resize, signal } = this.input;
    if (stdin) {
      subscription.add(stdin.subscribe({
        next: (chunk) => this.writeStdin(chunk),
        error: fail,
        complete: () => {
          this.eof = true;
          this.push(STDIN_EOF);
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
          this.resize = encodeControlMessage({ type: 'resize', cols, rows });
          if (this.socket?.isOpen()) this.socket.send(this.resize);
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
          this.push(encodeControlMessage({ type: 'signal', sig }));
        },
        error: fail,
      }));
    }
  }

  private writeStdin(chunk: Uint8Array | string): void {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      this.failed.error(new TypeError('stdin: chunks must be Uint8Array or string'));
      return;
    }
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    for (let offset = 0; offset < bytes.length; offset += MAX_STDIN_FRAME) {
      this.push(bytes.subarray(offset, offset + MAX_STDIN_FRAME));
    }
  }

  private push(message: Uint8Array | string): void {
    if (this.socket?.isOpen()) this.socket.send(message);
    else this.queue.push(message);
  }

  /**
   * A socket opened. The first one receives the inputs live from the start; a later one is sent
   * the last resize, then the queue, then `stdin_eof` again if stdin had ended.
   */
  connect(socket: SocketHandle): void {
    this.socket = socket;
    if (this.subscription === undefined) {
      this.start();
      return;
    }
    if (this.resize !== undefined) socket.send(this.resize);
    const pending = this.queue.splice(0);
    for (const message of pending) socket.send(message);
    if (this.eof && !pending.includes(STDIN_EOF)) socket.send(STDIN_EOF);
  }

  /** The socket is gone: queue from now on. */
  disconnect(socket: SocketHandle): void {
    if (this.socket === socket) this.socket = undefined;
  }

  /** Stops reading the inputs and drops what is queued. */
  dispose(): void {
    this.subscription?.unsubscribe();
    this.socket = undefined;
    this.queue.length = 0;
  }
}
