/**
 * Reading and validating REST request bodies. Each validator returns the typed value or a
 * message for a 400 answer. `null` counts as absent for optional fields, as Go's decoder does.
 */

import type { IncomingMessage } from 'node:http';
import { isTerminalDimension } from '../../limits.js';
import type { ExecRequest } from '../../protocol/types.js';

/** Largest REST body accepted. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A body that could not be used: the status and message to answer with. */
export interface BodyError {
  readonly status: 400 | 413;
  readonly message: string;
}

/** Reads a JSON body (an empty body reads as `undefined`). */
export async function readJsonBody(req: IncomingMessage): Promise<{ readonly value: unknown } | BodyError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { status: 413, message: `request body larger than ${MAX_BODY_BYTES} bytes` };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { value: undefined };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { status: 400, message: 'request body is not valid JSON' };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** Validates an `ExecRequest`; unknown fields are ignored. */
export function parseExecRequest(body: unknown): ExecRequest | string {
  if (!isRecord(body)) return 'request body must be a JSON object';
  const { command, args, env, timeout_seconds: timeout, working_dir: workingDir, tty } = body;
  if (typeof command !== 'string' || command === '') return 'command is required and must be a non-empty string';
  if (!absent(args) && !(Array.isArray(args) && args.every((arg) => typeof arg === 'string'))) {
    return 'args must be an array of strings';
  }
  if (!absent(env) && !(isRecord(env) && Object.values(env).every((value) => typeof value === 'string'))) {
    return 'env must be an object of strings';
  }
  if (!absent(timeout) && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0.1)) {
    return 'timeout_seconds must be a number >= 0.1';
  }
  if (!absent(workingDir) && typeof workingDir !== 'string') return 'working_dir must be a string';
  if (!absent(tty) && typeof tty !== 'boolean') return 'tty must be a boolean';
  return {
    command,
    ...(absent(args) ? {} : { args: args as string[] }),
    ...(absent(env) ? {} : { env: env as Record<string, string> }),
    ...(absent(timeout) ? {} : { timeout_seconds: timeout as number }),
    ...(absent(workingDir) ? {} : { working_dir: workingDir as string }),
    ...(absent(tty) ? {} : { tty: tty as boolean }),
  };
}

/** Validates `{"signal":N}`: N must be an integer (the whitelist is checked by the caller). */
export function parseSignalRequest(body: unknown): number | string {
  if (!isRecord(body) || typeof body.signal !== 'number' || !Number.isInteger(body.signal)) {
    return 'signal must be an integer';
  }
  return body.signal;
}

/** Validates `{"cols":C,"rows":R}`. */
export function parseResizeRequest(body: unknown): { readonly cols: number; readonly rows: number } | string {
  if (!isRecord(body) || !isTerminalDimension(body.cols) || !isTerminalDimension(body.rows)) {
    return 'cols and rows must be integers in 1..65535';
  }
  return { cols: body.cols, rows: body.rows };
}
