/**
 * `npm run docs:marbles`: writes `docs/marbles/` from the scenarios in `marbles/`, and removes
 * diagrams of scenarios that no longer exist.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarios } from '../marbles/index.js';
import { renderMarbleDocs } from './marbles/index.js';

const out = fileURLToPath(new URL('../docs/marbles/', import.meta.url));
const files = renderMarbleDocs(scenarios);
mkdirSync(out, { recursive: true });
for (const stale of readdirSync(out).filter((name) => name.endsWith('.svg') && !files.has(name))) rmSync(join(out, stale));
for (const [name, text] of files) writeFileSync(join(out, name), text);
console.log(`docs/marbles: ${files.size} files`);
