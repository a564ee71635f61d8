import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/** src/transport/browserBuild.ts: `true` only in the browser build. */
const NOT_BROWSER = { __BOXLITE_BROWSER__: 'false' };

export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    // tsup's dts step sets the deprecated baseUrl; TypeScript 6 needs this to accept it.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    target: 'es2022',
    splitting: false,
    define: NOT_BROWSER,
  },
  {
    // The browser build (package.json's `browser` condition): no `ws` adapter and no loaders of
    // `ws` and `cross-fetch`, which no browser can use; its types are index.d.ts's.
    entry: { 'index.browser': 'src/index.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
    splitting: false,
    define: { __BOXLITE_BROWSER__: 'true' },
  },
  {
    // Angular packages are optional peers (external like every peer). The entry imports the main
    // one by its package name, kept external so an app loads a single copy of the client.
    entry: { angular: 'src/angular/index.ts' },
    format: ['esm', 'cjs'],
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    target: 'es2022',
    splitting: false,
    external: ['boxlite-rx'],
    define: NOT_BROWSER,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    // One file: the emulator's `import('ws')` is inlined, not split into chunks beside it.
    splitting: false,
    define: { ...NOT_BROWSER, PACKAGE_VERSION: JSON.stringify(version) },
    // `ws` is an optional peer of the library, but the CLI always needs it: bundled, `npx boxlite-rx`
    // works on its own. It is CommonJS, so its require() of Node built-ins needs a real require.
    noExternal: ['ws'],
    banner: { js: "import { createRequire as __cliCreateRequire } from 'node:module';\nconst require = __cliCreateRequire(import.meta.url);" },
  },
]);
