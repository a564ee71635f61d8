/**
 * Starts the emulator process (`emulatorProcess.ts`) and talks to it.
 */

import type { EmulatorStats } from '../dist/testing.js';
import { exited, forkBench, nextMessage } from './fork.js';
import { clockNow, type TickerState } from './ticker.js';

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
  /** What the emulator knows of a ticker execution (figures 7 and 8); undefined for another one. */
  ticker(executionId: string): Promise<TickerState | undefined>;
  /** Drops the emulator's record of a ticker execution. */
  forgetTicker(executionId: string): void;
  /**
   * How far the emulator process's `clockNow()` is ahead of this one's (ms), from the `samples`
   * IPC round trips: the one with the shortest round trip, its midpoint as this process's reading;
   * `uncertaintyMs` is half that round trip.
   */
  clockOffset(samples: number): Promise<{ offsetMs: number; uncertaintyMs: number }>;
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
    async ticker(executionId) {
      const answer = nextMessage<{ type: 'ticker'; state: TickerState | null }>(child, 'ticker');
      child.send({ type: 'ticker', executionId });
      return (await answer).state ?? undefined;
    },
    forgetTicker(executionId) {
      child.send({ type: 'forget-ticker', executionId });
    },
    async clockOffset(samples) {
      let best = { offsetMs: Number.NaN, uncertaintyMs: Number.POSITIVE_INFINITY };
      for (let i = 0; i < samples; i += 1) {
        const answer = nextMessage<{ type: 'clock'; at: number }>(child, 'clock');
        const sent = clockNow();
        child.send({ type: 'clock' });
        const { at } = await answer;
        const received = clockNow();
        const half = (received - sent) / 2;
        if (half < best.uncertaintyMs) best = { offsetMs: at - (sent + half), uncertaintyMs: half };
      }
      return best;
    },
    async close() {
      child.send({ type: 'close' });
      await exited(child);
    },
  };
}
