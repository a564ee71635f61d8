/**
 * The package as a user gets it: `npm pack`, installed into fresh projects. Imported as ESM and as
 * CommonJS, each running one exec against the emulator from `boxlite-rx/testing`; bundled for a
 * browser, which must pull in neither `ws` nor `cross-fetch`; and its CLI, run where `ws` (an
 * optional peer) is not installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunnerEmulator } from '../src/testing/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STEP_TIMEOUT_MS = 60_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without npm's own `npm_*` variables, so a nested npm acts on its own cwd. */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD'));

/** Runs a program to its end (killed after `timeout`), never rejecting on a non-zero exit. */
function run(file: string, args: readonly string[], cwd: string, timeout = STEP_TIMEOUT_MS): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env: cleanEnv, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : undefined;
      if (code === undefined) reject(new Error(`${file} ${args.join(' ')} failed: ${String(error)}\n${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

async function npm(args: readonly string[], cwd: string): Promise<string> {
  const result = await run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);
  if (result.code !== 0) throw new Error(`npm ${args.join(' ')} exited with ${result.code}:\n${result.stderr}`);
  return result.stdout;
}

const installedVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** One exec from a consumer module: prints the command's output and exits with its exit code. */
const program = (load: string, kind: 'esm' | 'cjs', command: 'hello' | 'cut'): string => `${load}
const emulator = await startRunnerEmulator({
  scripts: {
    hello: { steps: [{ stdout: 'hello from ${kind}\\n' }, { stderr: 'warn\\n' }, { exit: 3 }] },
    cut: { steps: [{ stdout: 'drained in ${kind}\\n' }, { exit: 0 }], attachFaults: [{ cut: { after: 'upgrade' } }] },
  },
});
try {
  const client = createRunnerClient({ baseUrl: emulator.url, token: emulator.token });
  const result = await firstValueFrom(client.exec('box-1', { command: '${command}' }).pipe(toExecResult()));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr + 'exit source: ' + result.exitSource + ', attaches: ' + emulator.stats.attachAttempts + '\\n');
  process.exitCode = result.exitCode;
} finally {
  await emulator.close();
}
`;

const ESM = program(
  `import { createRunnerClient, toExecResult } from 'boxlite-rx';
import { startRunnerEmulator } from 'boxlite-rx/testing';
import { firstValueFrom } from 'rxjs';`,
  'esm',
  'hello',
);

// CommonJS has no top-level await: the same program inside an async function.
const CJS = `const { createRunnerClient, toExecResult } = require('boxlite-rx');
const { startRunnerEmulator } = require('boxlite-rx/testing');
const { firstValueFrom } = require('rxjs');
if (!require.resolve('boxlite-rx').endsWith('index.cjs')) throw new Error('not the CommonJS build');
(async () => {
${program('', 'cjs', 'cut')}})();
`;

describe('the packed package in a fresh project', () => {
  let dir = '';
  /** Has the tarball, rxjs, ws and cross-fetch. */
  let app = '';
  /** Has the tarball and rxjs only, beside (not under) `app`. */
  let cli = '';
  let packedFiles: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error("dist/ is missing: run 'npm run build' first (npm test does)");
    dir = mkdtempSync(join(tmpdir(), 'boxlite-rx-consumer-'));
    const [packed] = JSON.parse(await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT)) as {
      filename: string;
      files: { path: string }[];
    }[];
    if (packed === undefined) throw new Error('npm pack reported no tarball');
    packedFiles = packed.files.map((file) => file.path);
    const tarball = join(dir, packed.filename);
    const rxjs = `rxjs@${installedVersion('rxjs')}`;
    [app, cli] = [join(dir, 'app'), join(dir, 'cli')];
    for (const project of [app, cli]) {
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    }
    await Promise.all([
      // Both optional peers are installed here, so the browser bundle below shows they are left out, not missing.
      npm(['install', '--prefer-offline', tarball, rxjs, `ws@${installedVersion('ws')}`, `cross-fetch@${installedVersion('cross-fetch')}`], app),
      npm(['install', '--prefer-offline', tarball, rxjs], cli),
    ]);
    writeFileSync(join(app, 'esm.mjs'), ESM);
    writeFileSync(join(app, 'cjs.cjs'), CJS);
  }, 2 * STEP_TIMEOUT_MS);

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('ships only the build, package.json and the README', () => {
    expect(packedFiles.filter((path) => !path.startsWith('dist/') && path !== 'package.json' && path !== 'README.md')).toEqual([]);
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.cjs', 'dist/testing.d.ts', 'dist/testing.d.cts', 'dist/cli.js']));
  });

  it('runs an exec from an ES module: exact output and exit code', async () => {
    const result = await run(process.execPath, ['esm.mjs'], app, 15_000);
    expect(result).toEqual({ code: 3, stdout: 'hello from esm\n', stderr: 'warn\nexit source: frame, attaches: 1\n' });
  });

  it('runs an exec from CommonJS through a cut and the drain: exact output and exit code', async () => {
    const result = await run(process.execPath, ['cjs.cjs'], app, 15_000);
    expect(result).toEqual({ code: 0, stdout: 'drained in cjs\n', stderr: 'exit source: frame, attaches: 2\n' });
  });

  it('bundles for a browser without ws or cross-fetch', async () => {
    const bundle = await build({
      stdin: { contents: "export { createRunnerClient } from 'boxlite-rx';", resolveDir: app },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.some((input) => input.includes('node_modules/boxlite-rx/dist/index.js'))).toBe(true);
    expect(inputs.filter((input) => /node_modules\/(ws|cross-fetch|node-fetch)\//.test(input))).toEqual([]);
  });

  it('runs its CLI without ws installed (bundled): exact output and exit code', async () => {
    expect(existsSync(join(cli, 'node_modules', 'ws'))).toBe(false);
    const emulator = await startRunnerEmulator({
      scripts: { hello: { steps: [{ stdout: 'hello from the cli\n' }, { exit: 5 }], attachFaults: [{ cut: { after: 'upgrade' } }] } },
    });
    try {
      const bin = join(cli, 'node_modules', '.bin', 'boxlite-rx');
      const result = await run(bin, ['exec', '--url', emulator.url, '--token', emulator.token, 'box-1', '--', 'hello'], cli, 15_000);
      expect(result).toEqual({ code: 5, stdout: 'hello from the cli\n', stderr: '' });
      expect(emulator.stats.attachAttempts).toBe(2);
    } finally {
      await emulator.close();
    }
  });
});
