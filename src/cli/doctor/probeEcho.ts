/**
 * The `echo` probe: `POST /exec` (its answer's shape, and the token accepted on REST), then one
 * attach that never sends a Close of its own (the token accepted on the upgrade): after the exit
 * frame, when does the server send its Close, and when does it drop the connection: at once (the
 * Go runner) or only after waiting for the client's Close (a newer runner, up to 5 s).
 */

import { parseErrorBody } from '../../protocol/errorBody.js';
import { DoctorFailure } from './doctorFailure.js';
import type { EchoMeasure } from './measurements.js';
import { answered } from './restCall.js';
import { executionIdOf, type DoctorTarget } from './target.js';

/** What the probe echoes. */
export const ECHO_TEXT = 'boxlite-rx doctor';
/** Server-side time limit of every command the doctor runs, should the doctor itself be killed. */
export const SAFETY_TIMEOUT_SECONDS = 60;
/** Bound of a harmless command's run, from the upgrade to its exit frame. */
export const RUN_BOUND_MS = 20_000;
/** How long the doctor withholds its Close after the exit frame, waiting for the server to drop the connection. */
export const CLOSE_OBSERVE_MS = 8_000;

/**
 * Runs the probe.
 * @param target the box examined.
 * @throws DoctorFailure when `POST /exec` fails: nothing else can be measured then.
 */
export async function probeEcho(target: DoctorTarget): Promise<EchoMeasure> {
  const answer = await target.exec({ command: 'echo', args: [ECHO_TEXT], timeout_seconds: SAFETY_TIMEOUT_SECONDS });
  if (!answered(answer)) throw new DoctorFailure(answer.failed);
  const executionId = executionIdOf(answer.body);
  if (answer.status < 200 || answer.status > 299) {
    throw new DoctorFailure(`POST /exec answered ${answer.status}: ${parseErrorBody(answer.status, answer.body).message}`);
  }
  if (executionId === undefined) throw new DoctorFailure(`POST /exec answered ${answer.status} without an execution_id`);
  const exec = { status: answer.status, executionId: true, location: answer.location !== undefined };

  const attached = await target.rawAttach(executionId, { runMs: RUN_BOUND_MS, observeMs: CLOSE_OBSERVE_MS });
  if (attached.status !== 101) {
    return { exec, upgrade: attached.failed === undefined ? attached.status : { problem: attached.failed }, close: { problem: 'no attach' } };
  }
  const { exitAt, close, droppedAt } = attached;
  if (exitAt === undefined) {
    const why = droppedAt === undefined ? `no exit frame within ${RUN_BOUND_MS / 1000} s` : 'the connection ended before an exit frame';
    return { exec, upgrade: 101, close: { problem: why } };
  }
  const droppedMs = droppedAt === undefined ? undefined : droppedAt - exitAt;
  if (close === undefined) {
    const why = droppedMs === undefined ? `no Close within ${CLOSE_OBSERVE_MS / 1000} s of the exit frame` : 'the connection ended without a Close';
    return { exec, upgrade: 101, close: { problem: why } };
  }
  return { exec, upgrade: 101, close: { code: close.code, closeMs: close.at - exitAt, droppedMs } };
}
