/**
 * The error classes: every one extends `BoxliteError`, keeps its stable `name` and guard, and
 * `isBoxliteError` checks the registry brand, not `instanceof`, so another copy of the package
 * (the CommonJS build beside the ES module one) is recognised too. test/consumer.test.ts checks
 * that across the two real builds of the packed package.
 */
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { completed } from '../../marbles/values.js';

/** One instance of every error class the package exports, with the guard that names it. */
const instances: [string, Error, (e: unknown) => boolean][] = [
  ['BoxliteHttpError', new api.BoxliteHttpError('exec: HTTP 500', 500), api.isBoxliteHttpError],
  ['AttachRejectedError', new api.AttachRejectedError('attach refused: HTTP 409', 409), api.isAttachRejectedError],
  ['AttachDisconnectedError', new api.AttachDisconnectedError('cut', 1006), api.isAttachDisconnectedError],
  ['ExecutionGoneError', new api.ExecutionGoneError('exec-1'), api.isExecutionGoneError],
  ['ExecutionIdUnknownError', new api.ExecutionIdUnknownError(), api.isExecutionIdUnknownError],
  ['ReconnectRequiredError', new api.ReconnectRequiredError(completed(0)), api.isReconnectRequiredError],
  ['ReconnectBudgetExceededError', new api.ReconnectBudgetExceededError(3), api.isReconnectBudgetExceededError],
  ['TokenProviderError', new api.TokenProviderError('token provider threw (see cause)', 'threw'), api.isTokenProviderError],
  ['MissingPeerDependencyError', new api.MissingPeerDependencyError("needs 'ws'", 'ws'), api.isMissingPeerDependencyError],
];

describe('BoxliteError', () => {
  it('every exported error class is in the table above', () => {
    const classes = Object.entries(api)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
      .map(([name]) => name)
      .sort();
    expect(classes).toEqual(['BoxliteError', 'HttpStatusError', ...instances.map(([name]) => name)].sort());
  });

  it.each(instances)('%s extends it, keeps its name and its guard', (name, error, guard) => {
    expect(error).toBeInstanceOf(api.BoxliteError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(api.isBoxliteError(error)).toBe(true);
    expect(guard(error)).toBe(true);
    expect(instances.filter(([, other]) => guard(other)).map(([other]) => other)).toEqual([name]);
  });

  it('isHttpStatusError: exactly the two HTTP-answer errors', () => {
    expect(instances.filter(([, error]) => api.isHttpStatusError(error)).map(([name]) => name)).toEqual([
      'BoxliteHttpError',
      'AttachRejectedError',
    ]);
    expect(new api.BoxliteHttpError('exec: HTTP 404', 404, 'not_found')).toBeInstanceOf(api.HttpStatusError);
  });

  it('isBoxliteError reads the registry brand, so an error from another copy of the package passes', () => {
    const brand: unique symbol = Symbol.for('boxlite-rx.error');
    class OtherCopyError extends Error {
      readonly [brand] = true;
    }
    const other = new OtherCopyError('from the CommonJS build');
    expect(other).not.toBeInstanceOf(api.BoxliteError);
    expect(api.isBoxliteError(other)).toBe(true);
  });

  it('isBoxliteError is false for anything else', () => {
    for (const value of [new Error('x'), new TypeError('x'), { name: 'ExecutionGoneError' }, null, undefined, 'BoxliteError', 42]) {
      expect(api.isBoxliteError(value)).toBe(false);
    }
  });

  it('keeps the cause it was given', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new api.BoxliteHttpError('exec failed', undefined, undefined, { cause }).cause).toBe(cause);
  });
});
