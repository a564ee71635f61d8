import { describe, expect, it } from 'vitest';
import type { ExecRequest } from '../../src/protocol/types.js';
import { validateExecRequest } from '../../src/protocol/validateExecRequest.js';

function thrown(request: unknown): Error {
  try {
    validateExecRequest(request as ExecRequest);
  } catch (error) {
    return error as Error;
  }
  throw new Error('validateExecRequest did not throw');
}

describe('validateExecRequest', () => {
  it('accepts a minimal request', () => {
    expect(() => validateExecRequest({ command: 'ls' })).not.toThrow();
  });

  it('accepts a full request', () => {
    expect(() =>
      validateExecRequest({
        command: '/bin/sh',
        args: ['-c', 'echo hi', ''],
        env: { PATH: '/usr/bin', EMPTY: '', 'WITH SPACE': 'x=y' },
        timeout_seconds: 0.1,
        working_dir: '/tmp',
        tty: true,
      }),
    ).not.toThrow();
  });

  it('accepts empty args and env, tty false, and a large timeout', () => {
    expect(() => validateExecRequest({ command: 'x', args: [], env: {}, tty: false, timeout_seconds: 86_400 })).not.toThrow();
  });

  it.each([[null], [undefined], ['ls'], [42]])('rejects a non-object request %j', (request) => {
    const error = thrown(request);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('TypeError');
    expect(error.message).toBe('exec: the request must be an object');
  });

  it.each([[{}], [{ command: '' }], [{ command: 42 }], [{ command: ['ls'] }], [{ command: null }]])(
    'rejects a bad command in %j',
    (request) => {
      const error = thrown(request);
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe('exec: command must be a non-empty string');
    },
  );

  it.each([['-la'], [['a', 1]], [[null]], [{ 0: 'a' }], [null]])('rejects args %j', (args) => {
    const error = thrown({ command: 'ls', args });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.name).toBe('TypeError');
    expect(error.message).toBe('exec: args must be an array of strings');
  });

  it.each([[null], [[]], [['A=1']], ['A=1'], [42]])('rejects env %j that is not a plain object', (env) => {
    const error = thrown({ command: 'ls', env });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('exec: env must be an object');
  });

  it.each([
    ['', 'exec: env name "" is not valid'],
    ['A=B', 'exec: env name "A=B" is not valid'],
    ['=', 'exec: env name "=" is not valid'],
  ])('rejects env name %j', (key, message) => {
    const error = thrown({ command: 'ls', env: { [key]: 'v' } });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(message);
  });

  it.each([[1], [null], [true], [{}]])('rejects env value %j', (value) => {
    const error = thrown({ command: 'ls', env: { OK: 'fine', HOME: value } });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('exec: env HOME must be a string');
  });

  it.each([
    [0, '0'],
    [0.09, '0.09'],
    [-1, '-1'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['5', '5'],
    [null, 'null'],
  ])('rejects timeout_seconds %j with a RangeError', (timeout, shown) => {
    const error = thrown({ command: 'ls', timeout_seconds: timeout });
    expect(error).toBeInstanceOf(RangeError);
    expect(error.name).toBe('RangeError');
    expect(error.message).toBe(`exec: timeout_seconds must be a number >= 0.1, got ${shown}`);
  });

  it.each([[''], [42], [null]])('rejects working_dir %j', (cwd) => {
    const error = thrown({ command: 'ls', working_dir: cwd });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('exec: working_dir must be a non-empty string');
  });

  it.each([['true'], [1], [null]])('rejects tty %j', (tty) => {
    const error = thrown({ command: 'ls', tty });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('exec: tty must be a boolean');
  });

  it('checks the command before the other fields', () => {
    expect(thrown({ command: '', tty: 'x', timeout_seconds: -1 }).message).toBe('exec: command must be a non-empty string');
  });
});
