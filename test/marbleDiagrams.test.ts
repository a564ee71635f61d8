/**
 * The committed diagrams in docs/marbles/ are what scripts/render-marbles.ts renders from the
 * scenarios now: change a scenario, run `npm run docs:marbles`, commit both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scenarios } from '../marbles/index.js';
import { renderMarbleDocs } from '../scripts/marbles/index.js';

const DIR = new URL('../docs/marbles/', import.meta.url);
const rendered = renderMarbleDocs(scenarios);
const stale = "stale: run 'npm run docs:marbles' and commit docs/marbles/";

describe('docs/marbles', () => {
  it('holds exactly one diagram per scenario, and the README', () => {
    expect(readdirSync(DIR).sort()).toEqual([...rendered.keys()].sort());
  });

  it.each([...rendered.keys()])('%s is current', (name) => {
    expect(readFileSync(new URL(name, DIR), 'utf8'), `${name} is ${stale}`).toBe(rendered.get(name));
  });

  it('renders deterministically', () => {
    expect(renderMarbleDocs(scenarios)).toEqual(rendered);
  });
});
