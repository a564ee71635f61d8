import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const r = await build({ stdin: { contents: "export { createRunnerClient, toExecResult } from './src/index.ts';", resolveDir: '/work/main', loader: 'ts' }, bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, target: 'es2022' });
console.log(r.outputFiles[0].contents.length, gzipSync(r.outputFiles[0].contents, {}).length);
