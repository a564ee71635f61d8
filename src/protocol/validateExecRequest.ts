import type { ExecRequest } from './types.js';

/**
 * Checks an `ExecRequest` before it is sent; throws a `TypeError` or `RangeError` naming the field.
 */
export function validateExecRequest(request: ExecRequest): void {
  if (typeof request !== 'object' || request === null) throw new TypeError('exec: the request must be an object');
  const { command, args, env, timeout_seconds: timeout, working_dir: cwd, tty } = request;
  if (typeof command !== 'string' || command === '') throw new TypeError('exec: command must be a non-empty string');
  if (args !== undefined && (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string'))) {
    throw new TypeError('exec: args must be an array of strings');
  }
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new TypeError('exec: env must be an object');
    for (const [key, value] of Object.entries(env)) {
      if (key === '' || key.includes('=')) throw new TypeError(`exec: env name ${JSON.stringify(key)} is not valid`);
      if (typeof value !== 'string') throw new TypeError(`exec: env ${key} must be a string`);
    }
  }
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0.1)) {
    throw new RangeError(`exec: timeout_seconds must be a number >= 0.1, got ${String(timeout)}`);
  }
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd === '')) throw new TypeError('exec: working_dir must be a non-empty string');
  if (tty !== undefined && typeof tty !== 'boolean') throw new TypeError('exec: tty must be a boolean');
}
