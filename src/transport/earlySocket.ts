import type { ListenerFor, SocketHandle, SocketListener } from './webSocket.js';

/** One callback the early socket received before it was claimed, as the call that hands it on. */
type Held = (listener: SocketListener) => void;

/**
 * A socket opened before the attach that will use it, so that its upgrade runs while the status
 * probe is in flight: what the socket reports until then (its open, frames, pings, its end) is
 * held, in order, and handed to the listener that claims it, as if the socket had opened at the
 * claim. From the claim on, callbacks go straight to that listener.
 *
 * ```
 * socket:  --o--a--b------c--|
 * claim:            ^
 * listener:         (oab)-c--|    held callbacks first, then live
 * ```
 *
 * The claimer's listener is made from the socket's handle (`listenerFor(handle)`) before any held
 * callback is replayed, so an `open` replayed at the claim always finds the handle. Only one
 * listener can claim it. `dispose` closes the socket whether claimed or not.
 *
 * @example
 * const early = new EarlySocket((relay) => openSocket(Ctor, url, options, relay), token);
 * const handle = early.claim((handle) => listener); // later, once the socket is known to be wanted
 */
export class EarlySocket {
  /** The socket's handle, for the claimer's sends and its teardown. */
  readonly handle: SocketHandle;
  private listener: SocketListener | undefined;
  private held: Held[] | undefined = [];

  /**
   * @param open Opens the socket with the listener given (called once, at once).
   * @param token The token sent on its upgrade, for the claimer's redaction.
   */
  constructor(
    open: (listenerFor: ListenerFor) => SocketHandle,
    readonly token: string | undefined,
  ) {
    // Before the claim, held (not after a dispose); from the claim on, straight to the listener.
    const relay = (deliver: Held): unknown => (this.listener ? deliver(this.listener) : this.held?.push(deliver));
    this.handle = open(() => ({
      open: (headers) => relay((listener) => listener.open(headers)),
      binary: (frame) => relay((listener) => listener.binary(frame)),
      text: (text) => relay((listener) => listener.text(text)),
      alive: () => relay((listener) => listener.alive()),
      end: (end) => relay((listener) => listener.end(end)),
    }));
  }

  /** Whether the socket can no longer be claimed: a listener claimed it, or it was disposed. */
  get claimed(): boolean {
    return this.held === undefined;
  }

  /**
   * Makes the claimer's listener from the handle, hands it the held callbacks, in order, then
   * every later one; returns the handle.
   */
  claim(listenerFor: ListenerFor): SocketHandle {
    const held = this.held;
    if (held === undefined) throw new Error('EarlySocket: already claimed');
    this.held = undefined;
    const listener = listenerFor(this.handle);
    for (const deliver of held) deliver(listener);
    this.listener = listener;
    return this.handle;
  }

  /** Closes the socket (a Close 1000 when open); nothing is reported after it. */
  dispose(): void {
    this.held = undefined;
    this.handle.dispose();
  }
}
