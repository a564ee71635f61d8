import { EarlySocket } from '../transport/earlySocket.js';
import { socketSetup, type AttachConfig } from './attach.js';

/** A socket being opened ahead of its attach. */
export interface Preconnect {
  /** The socket, for `AttachConfig.early`, once opened; `undefined` (and the setup dropped) while its token is still pending. */
  take(): EarlySocket | undefined;
  /** Drops the setup, or closes the socket if it was not taken. */
  dispose(): void;
}

/**
 * Opens an attach's socket before the attach that will use it: asks for the token, loads the
 * socket implementation and starts the upgrade at once; the socket holds what it reports until
 * an attach takes it (see `EarlySocket`). `followExecution` starts one as it probes after a cut,
 * so the re-attach's upgrade overlaps the probe's round trip instead of following it.
 *
 * ```
 * preconnect: ^-o--a-----       the upgrade starts with the probe
 * probe:      ^---r|
 * attach:         ^(oa)-b-      takes the socket: what it held first, then live
 * ```
 *
 * A failing token provider or socket constructor is not reported here: `take()` then returns
 * `undefined`, and the attach that follows asks and opens again, and reports what fails.
 *
 * @example
 * const ahead = preconnect(config);
 * probe$.subscribe((result) => (result.state === 'running' ? attach({ ...config, early: ahead.take() }) : ahead.dispose()));
 * @see attach
 */
export function preconnect(config: AttachConfig): Preconnect {
  let early: EarlySocket | undefined;
  const setup = socketSetup(config).subscribe({
    next: ({ open, token }) => {
      try {
        early = new EarlySocket(open, token);
      } catch {
        // The attach that follows opens its own socket and reports this error.
      }
    },
    error: () => undefined,
  });
  return {
    take() {
      setup.unsubscribe();
      const taken = early;
      early = undefined;
      return taken;
    },
    dispose() {
      setup.unsubscribe();
      early?.dispose();
      early = undefined;
    },
  };
}
