/**
 * `boxlite-rx doctor`: runs a few harmless commands in a box (`echo`, a burst from `seq`, a silent
 * `sleep`), measures the server's wire behaviour on them (and read-only attach, the box's main
 * session and the listing), and reports it against docs/protocol.md:
 * exit 0 when every line agrees, 1 when one differs, 125 when the doctor could not run at all.
 * Every execution it starts is deleted before it leaves; the token is never printed.
 */

import { resolveOptions } from '../../client/options.js';
import type { Command } from '../args.js';
import { CLIENT_FAILURE } from '../exitStatus.js';
import { redactAll, reportLine } from '../report.js';
import { judge } from './checks.js';
import { tallyFrames } from './frameTally.js';
import type { Measurements } from './measurements.js';
import { probeBurst } from './probeBurst.js';
import { probeEcho } from './probeEcho.js';
import { probeErrors } from './probeErrors.js';
import { probeBoxAttach, probeListing } from './probeObservers.js';
import { probeSleep } from './probeSleep.js';
import { recommend } from './recommend.js';
import { conforms, renderJson, renderText, type Report } from './render.js';
import { DoctorTarget } from './target.js';

/** Where the report goes. */
export interface DoctorIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** The exit status of a report with a differing line. */
export const DIFFERS = 1;

/** Runs every probe, then deletes whatever the doctor started. */
async function measure(target: DoctorTarget, tokenGiven: boolean): Promise<Measurements> {
  try {
    const echo = await probeEcho(target);
    const errors = await probeErrors(target);
    const replay = await probeBurst(target);
    const sleep = await probeSleep(target);
    const boxAttach = await probeBoxAttach(target);
    const listing = await probeListing(target);
    return { tokenGiven, ...errors, echo, replay, sleep, boxAttach, listing, frames: tallyFrames(target.frames) };
  } finally {
    await target.cleanup();
  }
}

/**
 * Runs the doctor.
 * @param command the parsed command line.
 * @param io where the report (stdout) and a failure line (stderr) go.
 * @returns 0, {@link DIFFERS}, or 125.
 */
export async function runDoctor(command: Extract<Command, { kind: 'doctor' }>, io: DoctorIo): Promise<number> {
  const { url, token, prefix } = command.connection;
  try {
    // The same checks as the library's client: an absolute http(s) URL without credentials, a usable token.
    resolveOptions({ baseUrl: url, ...(token === undefined ? {} : { token }), ...(prefix === undefined ? {} : { pathPrefix: prefix }) });
    const target = new DoctorTarget({ baseUrl: url, pathPrefix: prefix }, token, command.boxId);
    const measurements = await measure(target, token !== undefined);
    const report: Report = {
      url,
      pathPrefix: prefix,
      boxId: command.boxId,
      checks: judge(measurements),
      recommended: recommend(measurements),
      measurements,
    };
    io.stdout.write(redactAll(command.json ? renderJson(report) : renderText(report), [token]));
    return conforms(report) ? 0 : DIFFERS;
  } catch (error: unknown) {
    // A DoctorFailure (the first POST /exec failed), or an option the client refuses.
    reportLine(io.stderr, `doctor: ${error instanceof Error ? error.message : String(error)}`, [token]);
    return CLIENT_FAILURE;
  }
}
