/**
 * The silent probe: `sleep 30` writes nothing, so the only thing on its socket is the server's
 * Ping (its period). While attached, a second attach must get 409 before any upgrade. Then
 * `DELETE` while attached: the socket must get exit 137 and Close 1000 at once. That `DELETE` is
 * also the probe's cleanup. Beside the attached writer, the reading of `stdin` (`probeObservers.ts`).
 */

import type { Measured, SleepMeasure } from './measurements.js';
import { SAFETY_TIMEOUT_SECONDS } from './probeEcho.js';
import { probeReadOnly } from './probeObservers.js';
import { answered } from './restCall.js';
import { CONNECT_TIMEOUT_MS, executionIdOf, type DoctorTarget } from './target.js';
import { isEvent, isExitFrame, type WireSession } from './wireSession.js';

/** How long `sleep` runs: longer than the doctor waits for a Ping. */
const SLEEP_SECONDS = 30;
/** How long the doctor waits for the first Ping. */
export const PING_BOUND_MS = 20_000;
/** How long the doctor waits for the exit frame and Close after `DELETE`. */
const DELETE_BOUND_MS = 5_000;

/** Every measurement of the probe failed for one reason. */
function failed(problem: string): SleepMeasure {
  return { firstPingMs: { problem }, secondAttach: { problem }, deleted: { problem }, readOnly: { problem } };
}

/** A second attach while the first holds the slot: its status, 101 if it was accepted (then closed). */
async function secondAttach(target: DoctorTarget, executionId: string): Promise<Measured<number>> {
  const second = target.attach(executionId);
  const answer = await second.next(isEvent.answer, CONNECT_TIMEOUT_MS * 2);
  second.close();
  if (answer?.kind === 'open') return 101;
  if (answer?.kind === 'refused') return answer.status;
  return { problem: answer?.message ?? 'no answer to the second attach' };
}

/**
 * `DELETE` while `session` is attached, and what the socket then got: the exit frame (timed), then,
 * once the doctor answered it with its Close as a client should, the Close code.
 */
async function deleteAttached(target: DoctorTarget, executionId: string, session: WireSession): Promise<SleepMeasure['deleted']> {
  const sent = performance.now();
  const answer = await target.delete(executionId);
  if (!answered(answer)) return { problem: answer.failed };
  const exitOrEnd = await session.next(isEvent.exitOrEnd, DELETE_BOUND_MS);
  if (exitOrEnd === undefined) return { problem: `DELETE answered ${answer.status}; no exit frame or Close within ${DELETE_BOUND_MS / 1000} s` };
  session.close();
  const end = await session.next(isEvent.end, DELETE_BOUND_MS);
  if (end === undefined) return { problem: `DELETE answered ${answer.status}; no Close within ${DELETE_BOUND_MS / 1000} s` };
  if (end.kind === 'failed') return { problem: `DELETE answered ${answer.status}; the connection failed: ${end.message}` };
  const exit = session.frames.find(isExitFrame);
  const exitCode = exit === undefined || exit.binary ? undefined : (JSON.parse(exit.text) as { exit_code?: unknown }).exit_code;
  return { status: answer.status, exitCode: typeof exitCode === 'number' ? exitCode : undefined, closeCode: end.code, ms: exitOrEnd.at - sent };
}

/**
 * Runs the probe.
 * @param target the box examined.
 */
export async function probeSleep(target: DoctorTarget): Promise<SleepMeasure> {
  const answer = await target.exec({ command: 'sleep', args: [String(SLEEP_SECONDS)], timeout_seconds: SAFETY_TIMEOUT_SECONDS });
  if (!answered(answer)) return failed(answer.failed);
  const executionId = executionIdOf(answer.body);
  if (executionId === undefined) return failed(`POST /exec answered ${answer.status} without an execution_id`);
  const session = target.attach(executionId);
  const opened = await session.next(isEvent.answer, CONNECT_TIMEOUT_MS * 2);
  if (opened?.kind !== 'open') {
    return failed(opened?.kind === 'refused' ? `the attach was refused with ${opened.status}` : (opened?.message ?? 'no answer to the upgrade'));
  }
  const second = await secondAttach(target, executionId);
  const readOnly = await probeReadOnly(target, executionId);
  const ping = await session.next(isEvent.pingOrEnd, PING_BOUND_MS);
  const firstPingMs = ping === undefined ? 'none' : ping.kind === 'ping' ? ping.at - opened.at : { problem: 'the socket ended before any Ping' };
  return {
    firstPingMs,
    secondAttach: second,
    deleted: await deleteAttached(target, executionId, session),
    readOnly,
  };
}
