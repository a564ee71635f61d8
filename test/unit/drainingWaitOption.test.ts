/** `drainingWait`: how long `exec` waits out a runner draining for a deploy, checked up front. */
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/client/options.js';

const base = { baseUrl: 'http://127.0.0.1:8080' } as const;

describe('createRunnerClient: drainingWait', () => {
  it.each([
    [undefined, 60_000],
    [false, 0],
    [0, 0],
    [1500, 1500],
  ] as const)('%s resolves to %i ms (0: not waited out)', (drainingWait, expected) => {
    expect(resolveOptions(drainingWait === undefined ? base : { ...base, drainingWait }).drainingWait).toBe(expected);
  });

  it.each([[-1], [true], ['60000'], [Number.NaN], [2 ** 31]])('%s is a RangeError naming it', (drainingWait) => {
    expect(() => resolveOptions({ ...base, drainingWait } as never)).toThrow(RangeError);
    expect(() => resolveOptions({ ...base, drainingWait } as never)).toThrow(/^createRunnerClient: drainingWait must be a number of milliseconds >= 0/);
  });
});
