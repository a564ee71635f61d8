import { describe, expect, it } from 'vitest';
import { USAGE, usageOf, type Verb } from '../../src/cli/usage.js';

const verbs: readonly Verb[] = ['exec', 'attach', 'kill', 'signal', 'emulator', 'doctor'];
const texts: readonly (readonly [string, string])[] = [
  ['--help', USAGE],
  ...verbs.map((verb): readonly [string, string] => [`${verb} --help`, usageOf(verb)]),
];

describe('usage text', () => {
  it.each(texts)('%s: every line fits in 100 columns', (_name, text) => {
    const long = text.split('\n').filter((line) => line.length > 100);
    expect(long).toEqual([]);
  });
});
