/**
 * The doctor's verdicts: each check reads the measurements and says, in one line, what the server
 * does and whether docs/protocol.md allows it. Both shapes a rule allows (a ring or chunks, a Close
 * at once or after waiting for the client's) pass; a check that could not measure does not.
 */

import { SHAPE_NAMES } from './bodyShape.js';
import { bytes, duration } from './format.js';
import { isProblem, type Measured, type Measurements } from './measurements.js';
import { CLOSE_OBSERVE_MS } from './probeEcho.js';
import { RTT_SAMPLES } from './probeErrors.js';
import { PING_BOUND_MS } from './probeSleep.js';
import {
  CLOSE_AT_ONCE_MS,
  CLOSE_WAIT_MAX_MS,
  DELETE_CLOSE_MS,
  KILLED_EXIT_CODE,
  PING_INTERVAL_MS,
  PING_SLACK_MS,
  RING_BYTES,
} from './rules.js';

/** What each line is about. */
export type CheckId =
  | 'auth'
  | 'exec'
  | 'replay'
  | 'ring'
  | 'ping'
  | 'single-attach'
  | 'close'
  | 'delete'
  | 'frames'
  | 'errors'
  | 'rtt'
  | 'read-only'
  | 'box-attach'
  | 'listing';

/** One line of the report. */
export interface Check {
  readonly id: CheckId;
  readonly ok: boolean;
  /** What was measured. */
  readonly measured: string;
  /** What docs/protocol.md says, when the measurement differs from it. */
  readonly expected?: string;
}

const pass = (id: CheckId, measured: string): Check => ({ id, ok: true, measured });
const differ = (id: CheckId, measured: string, expected: string): Check => ({ id, ok: false, measured, expected });
const notMeasured = (id: CheckId, problem: string, expected: string): Check => differ(id, `not measured: ${problem}`, expected);

/** The round trip, or 0 when it could not be measured (the bounds then get no network slack). */
function rttOf(m: Measurements): number {
  return isProblem(m.rttMs) ? 0 : m.rttMs;
}

function auth(m: Measurements): Check {
  const rest = `POST /exec ${m.echo.exec.status}`;
  const accepted = m.tokenGiven ? 'token accepted' : 'no token given, none needed';
  const expected = 'the bearer token accepted on REST and on the upgrade (101)';
  if (isProblem(m.echo.upgrade)) return differ('auth', `${accepted} on REST (${rest}); the upgrade failed: ${m.echo.upgrade.problem}`, expected);
  if (m.echo.upgrade !== 101) return differ('auth', `${accepted} on REST (${rest}); the upgrade was refused with ${m.echo.upgrade}`, expected);
  return pass('auth', `${accepted} on REST (${rest}) and on the upgrade (101)`);
}

function exec(m: Measurements): Check {
  const { status, location } = m.echo.exec;
  const measured = `POST /exec answers ${status} {"execution_id":…}${location ? ' with a Location header' : ''}`;
  return status === 201 ? pass('exec', measured) : differ('exec', measured, '201 {"execution_id":"…"}');
}

const REPLAY_RULE = 'every attach replays what is kept: the whole ring as one frame, or each stored chunk as a frame';

function replay(m: Measurements): Check {
  if (isProblem(m.replay)) return notMeasured('replay', m.replay.problem, REPLAY_RULE);
  const frames = m.replay.frameBytes.length;
  const total = m.replay.frameBytes.reduce((sum, size) => sum + size, 0);
  if (frames === 0) return differ('replay', 'the re-attach after the exit replayed nothing', REPLAY_RULE);
  const shape = frames === 1 ? 'one frame per stream (ring)' : 'one frame per chunk (chunks)';
  const measured = `${shape}: the re-attach after the exit replayed ${total} bytes in ${frames} frame${frames === 1 ? '' : 's'}`;
  if (!m.replay.isTail) return differ('replay', `${measured}, not the end of the output`, 'the replay is the last bytes written');
  return pass('replay', measured);
}

function ring(m: Measurements): Check {
  const expected = `${bytes(RING_BYTES)} per stream`;
  if (isProblem(m.replay)) return notMeasured('ring', m.replay.problem, expected);
  const { frameBytes, writtenBytes } = m.replay;
  const kept = frameBytes.reduce((sum, size) => sum + size, 0);
  if (frameBytes.length === 0) return notMeasured('ring', 'nothing was replayed', expected);
  if (frameBytes.length > 1) {
    const measured = `${kept} bytes kept in ${frameBytes.length} whole chunks of a ${writtenBytes}-byte output`;
    if (kept > RING_BYTES) return differ('ring', `more than ${RING_BYTES} bytes: ${measured}`, `at most ${expected}, whole chunks`);
    return pass('ring', `not visible exactly (chunks): ${measured}, at most ${RING_BYTES}`);
  }
  if (kept >= writtenBytes) return differ('ring', `at least ${writtenBytes} bytes: the whole ${writtenBytes}-byte output was kept`, expected);
  const measured = `${bytes(kept)} per stream (the replay of a ${writtenBytes}-byte output)`;
  return kept === RING_BYTES ? pass('ring', measured) : differ('ring', measured, expected);
}

function ping(m: Measurements): Check {
  const expected = `a Ping at least every ${PING_INTERVAL_MS / 1000} s`;
  const first = m.sleep.firstPingMs;
  if (isProblem(first)) return notMeasured('ping', first.problem, expected);
  if (first === 'none') return differ('ping', `no Ping within ${PING_BOUND_MS / 1000} s of the upgrade`, expected);
  const measured = `first Ping ${duration(first)} after the upgrade`;
  return first <= PING_INTERVAL_MS + PING_SLACK_MS ? pass('ping', measured) : differ('ping', measured, expected);
}

function singleAttach(m: Measurements): Check {
  const expected = '409 before any upgrade';
  const second = m.sleep.secondAttach;
  if (isProblem(second)) return notMeasured('single-attach', second.problem, expected);
  if (second === 409) return pass('single-attach', 'a second attach got 409 before any upgrade');
  return differ('single-attach', second === 101 ? 'a second attach was accepted (101)' : `a second attach got ${second}`, expected);
}

function close(m: Measurements): Check {
  const expected = `Close 1000 after the exit frame, then the connection dropped at once or within ${CLOSE_WAIT_MAX_MS / 1000} s while waiting for the client's Close`;
  const measuredClose = m.echo.close;
  if (isProblem(measuredClose)) return notMeasured('close', measuredClose.problem, expected);
  const { code, closeMs, droppedMs } = measuredClose;
  const closed = `Close ${code} ${duration(closeMs)} after the exit frame`;
  if (droppedMs === undefined) {
    return differ('close', `${closed}; the connection still open ${CLOSE_OBSERVE_MS / 1000} s after it, the client's Close withheld`, expected);
  }
  const slack = 2 * rttOf(m);
  const how =
    droppedMs > CLOSE_AT_ONCE_MS + slack
      ? `the server waited ${duration(droppedMs)} for the client's Close, then dropped the connection (a newer runner)`
      : `the connection dropped ${duration(droppedMs)} after it: the server does not wait for the client's Close`;
  const measured = `${closed}; ${how}`;
  return code === 1000 && droppedMs <= CLOSE_WAIT_MAX_MS + CLOSE_AT_ONCE_MS + slack ? pass('close', measured) : differ('close', measured, expected);
}

function deleteAttached(m: Measurements): Check {
  const expected = `204, then exit ${KILLED_EXIT_CODE} and Close 1000 within milliseconds`;
  const deleted = m.sleep.deleted;
  if (isProblem(deleted)) return notMeasured('delete', deleted.problem, expected);
  const { status, exitCode, closeCode, ms } = deleted;
  const exit = exitCode === undefined ? 'no exit frame' : `exit ${exitCode}`;
  const measured = `DELETE while attached: ${status}, then ${exit} ${duration(ms)} after it, and Close ${closeCode}`;
  const ok = status === 204 && exitCode === KILLED_EXIT_CODE && closeCode === 1000 && ms <= DELETE_CLOSE_MS + 2 * rttOf(m);
  return ok ? pass('delete', measured) : differ('delete', measured, expected);
}

function frames(m: Measurements): Check {
  const { count, problems } = m.frames;
  if (problems.length === 0) return pass('frames', `${count} frames, all well-formed`);
  return differ('frames', `${count} frames: ${problems.join('; ')}`, 'channel 0x01/0x02 output frames, exit and error text frames, one exit frame and nothing after it');
}

/** `404: runner {"error":"…"}`, or the answer that is not the expected status. */
function errorLine(label: string, answer: Measured<{ readonly status: number; readonly shape: keyof typeof SHAPE_NAMES }>): string {
  return isProblem(answer) ? `${label}: ${answer.problem}` : `${label}: ${answer.status} ${SHAPE_NAMES[answer.shape]}`;
}

function errors(m: Measurements): Check {
  const { notFound, wrongToken } = m;
  const measured = `${errorLine('unknown execution', notFound)}; ${errorLine('wrong token', wrongToken)}`;
  const expected = 'unknown execution 404, wrong token 401 or 403, each body in one of the four shapes';
  const found = !isProblem(notFound) && notFound.status === 404 && notFound.shape !== 'other';
  const refused = !isProblem(wrongToken) && [401, 403].includes(wrongToken.status) && wrongToken.shape !== 'other';
  // A server that checks no token (a local one) answers a wrong token as any other request.
  const unchecked = !isProblem(wrongToken) && !isProblem(notFound) && wrongToken.status === notFound.status;
  if (found && unchecked) return pass('errors', `${errorLine('unknown execution', notFound)}; a wrong token is not refused: the server checks no token`);
  return found && refused ? pass('errors', measured) : differ('errors', measured, expected);
}

function rtt(m: Measurements): Check {
  if (isProblem(m.rttMs)) return notMeasured('rtt', m.rttMs.problem, 'an answer to GET');
  return pass('rtt', `${duration(m.rttMs)} (median of ${RTT_SAMPLES} GETs)`);
}

const READ_ONLY_RULE = "a server's reading of stdin: serve's (0|1|false|true, a slot), the newer runner's (false, no slot) or none";

/** The reading of `stdin` the two answers beside a writer show (docs/protocol.md §7). */
function readOnly(m: Measurements): Check {
  const measured = m.sleep.readOnly;
  if (isProblem(measured)) return notMeasured('read-only', measured.problem, READ_ONLY_RULE);
  const { observer, bogus } = measured;
  const answers = `beside a writer, stdin=false got ${observer}, stdin=bogus ${bogus}`;
  if (observer === 101) return pass('read-only', `${answers}: the newer runner's reading (only false is read-only; observers take no slot)`);
  if (observer === 409 && bogus === 400) return pass('read-only', `${answers}: boxlite serve's reading (0|1|false|true; a read-only socket takes the slot)`);
  if (observer === 409 && bogus === 409) return pass('read-only', `${answers}: stdin is ignored (an older runner: an observer is a writer)`);
  return differ('read-only', answers, READ_ONLY_RULE);
}

const BOX_ATTACH_RULE = "the box route's 101 carries X-Boxlite-Execution-Id; 404 no main session; 409 attached";

/** The box's main session, read-only (docs/protocol.md §7). */
function boxAttach(m: Measurements): Check {
  const measured = m.boxAttach;
  if (isProblem(measured)) return notMeasured('box-attach', measured.problem, BOX_ATTACH_RULE);
  const route = 'GET /boxes/{boxId}/attach?stdin=false';
  if (measured.status === 101 && measured.executionId !== undefined) return pass('box-attach', `${route}: 101, main session ${measured.executionId}`);
  if (measured.status === 101) return differ('box-attach', `${route}: 101 without X-Boxlite-Execution-Id`, BOX_ATTACH_RULE);
  if (measured.status === 404) return pass('box-attach', `${route}: 404 (no main session in this box, or no box route)`);
  if (measured.status === 409) return pass('box-attach', `${route}: 409 (the main session is attached)`);
  return differ('box-attach', `${route}: ${measured.status}`, BOX_ATTACH_RULE);
}

const LISTING_RULE = 'a JSON array of {execution_id, status, attached, …}, or 404 where not offered';

/** The listing of the box's executions (docs/protocol.md §7). */
function listing(m: Measurements): Check {
  const measured = m.listing;
  if (isProblem(measured)) return notMeasured('listing', measured.problem, LISTING_RULE);
  const route = 'GET /boxes/{boxId}/executions';
  if (measured.status === 404) return pass('listing', `${route}: 404 (not offered: only the newer runner lists)`);
  if (measured.status === 200 && measured.entries !== undefined) return pass('listing', `${route}: 200, ${measured.entries} executions listed`);
  return differ('listing', `${route}: ${measured.status}${measured.status === 200 ? ' with a body that is no list of executions' : ''}`, LISTING_RULE);
}

/** The checks, in the order of the report. */
const CHECKS: readonly ((m: Measurements) => Check)[] = [
  auth,
  exec,
  replay,
  ring,
  ping,
  singleAttach,
  close,
  deleteAttached,
  frames,
  errors,
  rtt,
  readOnly,
  boxAttach,
  listing,
];

/**
 * Judges the measurements.
 * @param m what the probes measured.
 * @returns one check per line of the report.
 */
export function judge(m: Measurements): Check[] {
  return CHECKS.map((check) => check(m));
}
