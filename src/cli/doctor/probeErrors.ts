/**
 * The probes that start nothing: `GET` an execution that does not exist, a few times to time the
 * round trip and once with a wrong token, and read the shape of each error body.
 */

import { randomBytes } from 'node:crypto';
import { bodyShape } from './bodyShape.js';
import type { ErrorAnswer, Measured } from './measurements.js';
import { answered, type RestAnswer, type RestFailure } from './restCall.js';
import type { DoctorTarget } from './target.js';

/** GETs timed for the round trip; the median is reported. */
export const RTT_SAMPLES = 5;

/** A token no server issues. */
const WRONG_TOKEN = 'boxlite-rx-doctor-wrong-token';

/** What the error probes measured. */
export interface ErrorProbes {
  readonly rttMs: Measured<number>;
  readonly notFound: Measured<ErrorAnswer>;
  readonly wrongToken: Measured<ErrorAnswer>;
}

function errorAnswer(result: RestAnswer | RestFailure): Measured<ErrorAnswer> {
  return answered(result) ? { status: result.status, shape: bodyShape(result.body) } : { problem: result.failed };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Runs the error probes, one call at a time.
 * @param target the box examined.
 */
export async function probeErrors(target: DoctorTarget): Promise<ErrorProbes> {
  const missing = `boxlite-rx-doctor-missing-${randomBytes(6).toString('hex')}`;
  const samples: (RestAnswer | RestFailure)[] = [];
  for (let i = 0; i < RTT_SAMPLES; i += 1) samples.push(await target.get(missing));
  const failure = samples.find((sample): sample is RestFailure => !answered(sample));
  const first = samples[0] as RestAnswer | RestFailure;
  return {
    rttMs: failure === undefined ? median(samples.filter(answered).map((answer) => answer.ms)) : { problem: failure.failed },
    notFound: errorAnswer(first),
    wrongToken: errorAnswer(await target.get(missing, WRONG_TOKEN)),
  };
}
