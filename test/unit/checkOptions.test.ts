import { describe, expect, it } from 'vitest';
import { boolean, byteCount, checkKeys, delays, integer, milliseconds, oneOf } from '../../src/checkOptions.js';
import { MAX_TIMER_MS, doublingDelay, isTerminalDimension } from '../../src/limits.js';

const thrown = (call: () => unknown): Error => {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
};

describe('checkKeys', () => {
  it('accepts known keys and an empty object', () => {
    expect(() => checkKeys('owner', 'options', { a: 1, b: undefined }, ['a', 'b'])).not.toThrow();
    expect(() => checkKeys('owner', 'options', {}, ['a'])).not.toThrow();
  });

  it('names an unknown key as it is spelled', () => {
    const error = thrown(() => checkKeys('createRunnerClient', 'options', { replyShape: 'ring' }, ['replayShape', 'ringBytes']));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('createRunnerClient: unknown option replyShape');
  });

  it('names a nested key with its parent', () => {
    const error = thrown(() => checkKeys('createRunnerClient', 'reconnect', { retries: 3 }, ['initialDelay', 'maxDelay']));
    expect(error.message).toBe('createRunnerClient: unknown option reconnect.retries');
  });

  it('names a kebab-case spelling as written', () => {
    expect(thrown(() => checkKeys('startRunnerEmulator', 'options', { 'allow-processes': true }, ['allowProcesses'])).message).toBe(
      'startRunnerEmulator: unknown option allow-processes',
    );
  });

  it.each([[null], [[]], ['x'], [3]])('rejects %j as not an object', (value) => {
    const error = thrown(() => checkKeys('owner', 'reconnect', value, []));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('owner: reconnect must be an object');
  });
});

describe('the value checks', () => {
  it('milliseconds: positive by default, zero where allowed, never past a timer', () => {
    expect(milliseconds('o', 'n', undefined, 7)).toBe(7);
    expect(milliseconds('o', 'n', MAX_TIMER_MS, 7)).toBe(MAX_TIMER_MS);
    expect(milliseconds('o', 'n', 0, 7, { zero: true })).toBe(0);
    expect(thrown(() => milliseconds('o', 'n', 0, 7)).message).toBe('o: n must be a positive number of milliseconds up to 2147483647, got 0');
    const late = thrown(() => milliseconds('o', 'n', MAX_TIMER_MS + 1, 7, { zero: true }));
    expect(late).toBeInstanceOf(RangeError);
    expect(late.message).toBe('o: n must be a number of milliseconds >= 0 up to 2147483647, got 2147483648');
    expect(thrown(() => milliseconds('o', 'n', '5', 7))).toBeInstanceOf(RangeError);
  });

  it('byteCount, integer, oneOf, boolean', () => {
    expect(thrown(() => byteCount('o', 'ringBytes', 1.5, 1)).message).toBe('o: ringBytes must be a positive integer number of bytes, got 1.5');
    expect(thrown(() => integer('o', 'port', 70_000, 0, 0, 65_535)).message).toBe('o: port must be an integer from 0 to 65535, got 70000');
    expect(thrown(() => integer('o', 'count', -1, 0, 0)).message).toBe('o: count must be an integer >= 0, got -1');
    const shape = thrown(() => oneOf('o', 'server', 'go', ['runner', 'serve', 'other'], 'runner'));
    expect(shape).toBeInstanceOf(TypeError);
    expect(shape.message).toBe("o: server must be 'runner', 'serve' or 'other', got go");
    expect(oneOf('o', 'server', undefined, ['runner', 'serve'], 'serve')).toBe('serve');
    expect(thrown(() => boolean('o', 'flag', 'yes', false)).message).toBe('o: flag must be a boolean, got yes');
  });
});

describe('the shared limits', () => {
  it('doublingDelay doubles from the first delay up to the largest', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => doublingDelay(50, 2_000, attempt))).toEqual([50, 100, 200, 400, 800, 1_600, 2_000]);
  });

  it.each([[1, true], [65_535, true], [0, false], [65_536, false], [1.5, false], ['80', false]])('isTerminalDimension(%j) is %s', (value, ok) => {
    expect(isTerminalDimension(value)).toBe(ok);
  });
});

describe('delays', () => {
  it('checks maxDelay against initialDelay once, with both defaults applied, naming the policy', () => {
    expect(delays('o', 'reconnect', { initialDelay: 5 }, { initialDelay: 1, maxDelay: 10 })).toEqual({ initialDelay: 5, maxDelay: 10 });
    const error = thrown(() => delays('o', 'reconnect', { initialDelay: 20 }, { initialDelay: 1, maxDelay: 10 }));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('o: reconnect.maxDelay must be >= reconnect.initialDelay (20), got 10');
    expect(thrown(() => delays('o', 'options', { maxDelay: 0 }, { initialDelay: 1, maxDelay: 10 })).message).toBe(
      'o: maxDelay must be >= initialDelay (1), got 0',
    );
  });
});
