/**
 * Sizes and run counts: the full run behind `docs/benchmarks.md`, and a tiny one for the smoke test.
 */

import type { ReconnectConfig } from '../dist/index.js';
import type { EmulatorHost } from './emulatorHost.js';
import type { Log } from './report.js';

/** Everything a benchmark run is parametrised by. */
export interface BenchConfig {
  /** Measured runs per client and figure; the median is reported. */
  readonly runs: number;
  /** Figure 1: chunk size and count (256 MiB in 64 KiB frames). */
  readonly large: { readonly chunkBytes: number; readonly count: number };
  /** Figure 2: chunk size and count (1,000,000 frames of 16 bytes). */
  readonly small: { readonly chunkBytes: number; readonly count: number };
  /** Figure 3: executions per path, and echo round trips for the loopback RTT. */
  readonly drain: { readonly runs: number; readonly rttSamples: number };
  /** Figure 4: chunk size, chunk count, where RSS is printed (in chunks), and runs per client. */
  readonly memory: { readonly chunkBytes: number; readonly count: number; readonly marks: readonly number[]; readonly runs: number };
  /**
   * Figure 5: concurrent executions, lines each, unmeasured rounds of each series first, measured
   * rounds of each (interleaved; the medians are reported), and how long handles may take to close (ms).
   */
  readonly concurrency: {
    readonly executions: number;
    readonly lines: number;
    readonly warmupRounds: number;
    readonly rounds: number;
    readonly settleMs: number;
  };
  /**
   * Figure 7: lines before the cut and after the re-attach, ms between lines, the wall-time cap
   * (SIGTERM then) and the bounded wait for the exit after SIGTERM.
   */
  readonly liveLatency: {
    readonly linesBefore: number;
    readonly linesAfter: number;
    readonly intervalMs: number;
    readonly capMs: number;
    readonly exitWaitMs: number;
  };
  /**
   * Figure 8: cuts, live lines each attach delivers before its cut, ms between lines, the
   * wall-time cap, the bounded wait for the exit after SIGTERM, and echo round trips for the RTT.
   */
  readonly resume: {
    readonly cuts: number;
    readonly linesPerAttach: number;
    readonly intervalMs: number;
    readonly capMs: number;
    readonly exitWaitMs: number;
    readonly rttSamples: number;
    /** Figure 8b: the same runs through a proxy that delays each direction this long (0: skip). */
    readonly linkOneWayMs: number;
  };
  /** Figure 6b: log lines the fast producer writes, and interleaved rounds per client. */
  readonly fastProducer: { readonly lines: number; readonly rounds: number };
  /** Figure 9: chunk size and count (1 KiB frames), and interleaved rounds per client. */
  readonly frames1k: { readonly chunkBytes: number; readonly count: number; readonly rounds: number };
  /**
   * Figures 7 and 8: the client's reconnect policy. Undefined (the full run): the library's
   * default. The smoke run sets a short first delay, so it takes seconds whatever the default is.
   */
  readonly reconnect?: ReconnectConfig;
}

const MiB = 2 ** 20;

/** The full run (a few minutes on 2 cores; figure 8 up to its 90 s cap). */
export const FULL: BenchConfig = {
  runs: 9,
  large: { chunkBytes: 64 * 1024, count: (256 * MiB) / (64 * 1024) },
  small: { chunkBytes: 16, count: 1_000_000 },
  drain: { runs: 30, rttSamples: 200 },
  memory: { chunkBytes: 64 * 1024, count: 16_384, marks: [4_096, 8_192, 16_384], runs: 3 },
  concurrency: { executions: 1_000, lines: 20, warmupRounds: 4, rounds: 6, settleMs: 15_000 },
  liveLatency: { linesBefore: 200, linesAfter: 200, intervalMs: 50, capMs: 60_000, exitWaitMs: 35_000 },
  resume: { cuts: 30, linesPerAttach: 20, intervalMs: 50, capMs: 90_000, exitWaitMs: 35_000, rttSamples: 200, linkOneWayMs: 10 },
  fastProducer: { lines: 600_000, rounds: 5 },
  frames1k: { chunkBytes: 1024, count: (50 * MiB) / 1024, rounds: 9 },
};

/** The smoke run: every code path, tiny sizes, well under a few seconds. */
export const SMOKE: BenchConfig = {
  runs: 1,
  large: { chunkBytes: 64 * 1024, count: 16 },
  small: { chunkBytes: 16, count: 2_000 },
  drain: { runs: 2, rttSamples: 5 },
  memory: { chunkBytes: 64 * 1024, count: 64, marks: [16, 32, 64], runs: 1 },
  concurrency: { executions: 8, lines: 5, warmupRounds: 1, rounds: 2, settleMs: 100 },
  liveLatency: { linesBefore: 3, linesAfter: 3, intervalMs: 50, capMs: 10_000, exitWaitMs: 5_000 },
  resume: { cuts: 2, linesPerAttach: 3, intervalMs: 50, capMs: 10_000, exitWaitMs: 5_000, rttSamples: 5, linkOneWayMs: 5 },
  fastProducer: { lines: 2_000, rounds: 1 },
  frames1k: { chunkBytes: 1024, count: 64, rounds: 1 },
  reconnect: { initialDelay: 20 },
};

/** What every benchmark gets: its sizes, the emulator, and where to print. */
export interface BenchContext {
  readonly config: BenchConfig;
  readonly host: EmulatorHost;
  readonly log: Log;
}
