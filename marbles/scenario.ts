/**
 * The shape of a race-case scenario. Each file in this folder exports one, named after the case
 * of docs/protocol.md §6 it covers; `test/marbles.test.ts` runs them all through the real recovery
 * pipeline (`followExecution`) on a `TestScheduler`, and the docs draw them.
 *
 * Marbles use the RxJS `TestScheduler` syntax: one character is one millisecond of virtual time.
 */
import type { ReplayShapeOption } from '../src/delivery/replayCursor.js';
import type { ExecEvent } from '../src/events.js';
import type { ProbeResult } from '../src/protocol/probeResult.js';
import type { ErrorName } from './values.js';

/** One subscription to an attach socket, in the order the pipeline makes them. */
export interface SocketLane {
  /** `attach`: a first connect or a reconnect; `reattach`: the drain after a terminal probe. */
  readonly role: 'attach' | 'reattach';
  /** What the socket does, relative to its subscription. */
  readonly marble: string;
  /** The error its `#` stands for. */
  readonly error?: ErrorName;
  /** When the pipeline subscribes and unsubscribes, in absolute time. */
  readonly subscription: string;
}

/** One status probe, in the order the pipeline makes them. */
export interface ProbeLane {
  readonly marble: string;
  readonly subscription: string;
}

export interface MarbleScenario {
  /** The case number in docs/protocol.md §6 (0 for cases beyond the list). */
  readonly protocolCase: number;
  readonly title: string;
  /** One sentence: what must hold. */
  readonly claim: string;
  readonly sockets: readonly SocketLane[];
  readonly probes: readonly ProbeLane[];
  /** What the subscriber sees, in absolute time. */
  readonly expected: string;
  /** The error the expected `#` stands for. */
  readonly expectedError?: ErrorName;
  /** When the subscriber unsubscribes, if it does. */
  readonly unsubscribe?: string;
  /** Letters used in the marbles. */
  readonly values: Readonly<Record<string, ExecEvent | ProbeResult>>;
  /** Client timings in virtual milliseconds (the defaults are far too long to draw). */
  readonly timing?: ScenarioTiming;
}

export interface ScenarioTiming {
  readonly drainTimeout?: number;
  /** Silence after a drain socket's open (or its last event) that ends the drain (default 5000). */
  readonly drainSettle?: number;
  readonly reconnectDelay?: number;
  readonly reconnectBudget?: number;
  /** `reconnect.healthyAfter`: how long an open socket must live to count as progress. */
  readonly healthyAfter?: number;
  readonly conflictDelay?: number;
  /** The server's buffer per stream, in bytes (default 262144); small, to fill or wrap it in a few letters. */
  readonly ringBytes?: number;
  /** How the server replays its buffer (default `'auto'`, the client's: found from the frames; `'ring'`: the Go runner; `'chunks'`: `boxlite serve`). */
  readonly replayShape?: ReplayShapeOption;
  /** The command waits behind `exec`'s start gate (docs/delivery.md, "Start gate"). */
  readonly startGate?: boolean;
  /**
   * How the execution is followed (default: `follow`, by its id): `observe`, read-only (nothing
   * may be sent on any socket); `main`, the box's main session, whose first socket's 101 names
   * it `exec-1`; `main-headers-hidden`, the same through a socket that shows no 101 headers.
   */
  readonly session?: 'observe' | 'main' | 'main-headers-hidden';
}
