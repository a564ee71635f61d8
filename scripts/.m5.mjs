import { build } from 'esbuild';
const r = await build({ stdin: { contents: "export { createRunnerClient, toExecResult } from './dist/index.browser.js';", resolveDir: '/work/main' }, bundle: true, platform: 'browser', format: 'esm', minify: true, write: false });
const t = r.outputFiles[0].text; console.log(t.includes('unexpected-response'), t.includes('cross-fetch'), t.includes('"ping"'));
const i = t.indexOf('isOpen:'); console.log(t.slice(i-900, i+700));
