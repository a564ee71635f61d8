/**
 * What an import of `boxlite-rx` costs a browser bundle: esbuild bundles the file a browser
 * bundler resolves the package to (package.json's `browser` condition of `.`:
 * `dist/index.browser.js`) for the browser, minified, with esbuild's defaults otherwise, and the
 * result is gzipped. `npx tsx scripts/bundle-size.ts` (after `npm run build`) prints the table that
 * docs/packaging.md shows; `test/bundleSize.test.ts` holds the budgets.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The file package.json's `browser` condition of `.` names (read, so the measure follows it). */
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: { '.': { browser: { default: string } } };
};
export const BROWSER_ENTRY = pkg.exports['.'].browser.default;

/** One measured import. */
export interface BundleSize {
  readonly imports: string;
  /** Minified bytes. */
  readonly minified: number;
  /** Gzipped bytes (zlib's default level). */
  readonly gzipped: number;
}

/** The imports measured: one guard alone, and the typical pair. */
export const MEASURED_IMPORTS = ['isExecutionGoneError', 'createRunnerClient, toExecResult'] as const;

/** `export { <imports> } from '<entry>'` bundled for the browser and minified, as esbuild writes it. */
export async function bundleForBrowser(imports: string, entry = BROWSER_ENTRY): Promise<Uint8Array> {
  const result = await build({
    stdin: { contents: `export { ${imports} } from '${entry}';`, resolveDir: ROOT },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no output');
  return output.contents;
}

/** Bundles `export { <imports> } from '<the browser entry>'` for the browser and measures it. */
export async function measureImport(imports: string): Promise<BundleSize> {
  const bundle = await bundleForBrowser(imports);
  return { imports, minified: bundle.length, gzipped: gzipSync(bundle).length };
}

/** The table of docs/packaging.md. */
export function sizeTable(sizes: readonly BundleSize[]): string {
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB (${bytes} B)`;
  const rows = sizes.map(({ imports, minified, gzipped }) => `| \`import { ${imports} }\` | ${kb(minified)} | ${kb(gzipped)} |`);
  return ['| import | minified | gzipped |', '| --- | --- | --- |', ...rows].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await Promise.all(MEASURED_IMPORTS.map(measureImport));
  process.stdout.write(`${sizeTable(sizes)}\n`);
}
