/**
 * The client options that fit the server measured: how it replays (`replayShape`), its ring
 * (`ringBytes`, when the replay showed it), and the socket's silence bound (`idleTimeout`: the
 * default, 45 s, fits a Ping every 15 s or more often; a slower Ping needs three of its periods,
 * and a server that never pings needs the watchdog off).
 */

import { isProblem, type Measurements } from './measurements.js';
import { PING_INTERVAL_MS, PING_SLACK_MS, RING_BYTES } from './rules.js';

/** Options of `createRunnerClient` the doctor recommends. */
export interface Recommended {
  readonly replayShape: 'ring' | 'chunks';
  readonly ringBytes: number;
  readonly idleTimeout: number | false | 'auto';
}

/**
 * Recommends options.
 * @param m what the probes measured.
 */
export function recommend(m: Measurements): Recommended {
  const replay = isProblem(m.replay) ? undefined : m.replay;
  const frames = replay?.frameBytes ?? [];
  const single = frames.length === 1 ? (frames[0] ?? 0) : undefined;
  const ping = m.sleep.firstPingMs;
  let idleTimeout: Recommended['idleTimeout'] = 'auto';
  if (ping === 'none') idleTimeout = false;
  else if (!isProblem(ping) && ping > PING_INTERVAL_MS + PING_SLACK_MS) idleTimeout = 3 * Math.ceil(ping / 1_000) * 1_000;
  return {
    replayShape: frames.length > 1 ? 'chunks' : 'ring',
    // A ring that wrapped replays exactly its size; otherwise the size is not known.
    ringBytes: single !== undefined && replay !== undefined && single < replay.writtenBytes ? single : RING_BYTES,
    idleTimeout,
  };
}

/**
 * The options as a line to paste: `{ replayShape: 'ring', ringBytes: 262144, idleTimeout: 'auto' }`.
 * @param options the recommendation.
 */
export function optionsLiteral(options: Recommended): string {
  const idle = typeof options.idleTimeout === 'string' ? `'${options.idleTimeout}'` : String(options.idleTimeout);
  return `{ replayShape: '${options.replayShape}', ringBytes: ${options.ringBytes}, idleTimeout: ${idle} }`;
}
