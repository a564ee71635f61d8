import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

export default defineConfig([
  {
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    // tsup's dts step sets the deprecated baseUrl; TypeScript 6 needs this to accept it.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    target: 'es2022',
    splitting: false,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    define: { PACKAGE_VERSION: JSON.stringify(version) },
    // `ws` is an optional peer of the library, but the CLI always needs it: bundled, `npx boxlite-rx`
    // works on its own. It is CommonJS, so its require() of Node built-ins needs a real require.
    noExternal: ['ws'],
    banner: { js: "import { createRequire as __cliCreateRequire } from 'node:module';\nconst require = __cliCreateRequire(import.meta.url);" },
  },
]);
