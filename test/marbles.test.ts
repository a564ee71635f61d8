import { describe, it } from 'vitest';
import { scenarios } from '../marbles/index.js';
import { runScenario } from './support/marbleHarness.js';

describe('race-case scenarios (marbles/)', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(`case ${scenario.protocolCase}: ${scenario.title} (${name})`, () => runScenario(scenario));
  }
});
