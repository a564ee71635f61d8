/**
 * The local terminal of a `--tty` run: raw mode while attached, and the window size as resizes.
 *
 * Invariant: a terminal this module put in raw mode is back in its previous mode however the
 * process leaves (the teardown, or failing that the `exit` guard: `process.exit`, a signal that
 * leaves through it, an uncaught exception).
 */

import { EMPTY, Observable } from 'rxjs';

/** A terminal size, as a `resize` control message carries it. */
export interface TerminalSize {
  readonly cols: number;
  readonly rows: number;
}

/**
 * Raw mode on `stdin` while subscribed: keys go out one by one, unechoed, and Ctrl-C, Ctrl-D and
 * Ctrl-Z are bytes for the remote terminal rather than local signals or EOF. Never emits.
 * Emits nothing and changes nothing when `stdin` is not a terminal.
 */
export function rawMode(stdin: NodeJS.ReadStream): Observable<never> {
  if (!stdin.isTTY) return EMPTY;
  return new Observable<never>(() => {
    const wasRaw = stdin.isRaw;
    const restore = (): void => {
      if (stdin.isRaw !== wasRaw) stdin.setRawMode(wasRaw);
    };
    stdin.setRawMode(true);
    process.on('exit', restore);
    return () => {
      process.off('exit', restore);
      restore();
    };
  });
}

/** The first of `streams` that is a terminal, whose size is the window's. */
function terminalOf(streams: readonly NodeJS.WriteStream[]): NodeJS.WriteStream | undefined {
  return streams.find((stream) => stream.isTTY && stream.columns > 0 && stream.rows > 0);
}

/**
 * The window size now, then on every change (SIGWINCH, which Node turns into `resize` on a
 * terminal stream). Read from the first of `streams` that is a terminal; completes at once if
 * none is.
 */
export function terminalSize(streams: readonly NodeJS.WriteStream[]): Observable<TerminalSize> {
  const terminal = terminalOf(streams);
  if (terminal === undefined) return EMPTY;
  return new Observable<TerminalSize>((subscriber) => {
    const emit = (): void => subscriber.next({ cols: terminal.columns, rows: terminal.rows });
    emit();
    terminal.on('resize', emit);
    return () => {
      terminal.off('resize', emit);
    };
  });
}
