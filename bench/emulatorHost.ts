/**
 * Starts the emulator process (`emulatorProcess.ts`) and talks to it.
 */

import type { EmulatorStats } from '../dist/testing.js';
import { exited, forkBench, nextMessage } from './fork.js';

/** The emulator's counters, and the CPU milliseconds its process used so far. */
export type HostStats = EmulatorStats & { readonly cpuMs: number };

/** The running emulator process, seen from the client process. */
export interface EmulatorHost {
  /** The REST base URL. */
  readonly url: string;
  readonly token: string;
  /** A TCP echo server in the emulator process, for the loopback round trip. */
  readonly echoPort: number;
  /** The emulator's counters and CPU time now. */
  stats(): Promise<HostStats>;
  /** Closes the emulator and waits for its process to exit. */
  close(): Promise<void>;
}

/** Forks the emulator process and waits until it listens. */
export async function startEmulatorHost(): Promise<EmulatorHost> {
  const child = forkBench('./emulatorProcess.ts');
  const ready = await nextMessage<{ type: 'ready'; url: string; token: string; echoPort: number }>(child, 'ready');
  return {
    url: ready.url,
    token: ready.token,
    echoPort: ready.echoPort,
    async stats() {
      const answer = nextMessage<{ type: 'stats'; stats: HostStats }>(child, 'stats');
      child.send({ type: 'stats' });
      return (await answer).stats;
    },
    async close() {
      child.send({ type: 'close' });
      await exited(child);
    },
  };
}
