// @module-tag slow/process
/**
 * The package as a user gets it: `npm pack` in a fresh clone (no `dist/`: `prepack` builds it),
 * installed into fresh projects. Imported as ESM and as CommonJS, each running one exec against
 * the emulator from `boxlite-rx/testing`; one error guard across both builds; bundled for a
 * browser, which must pull in neither `ws` nor `cross-fetch`; and, where `ws` (an optional peer)
 * is not installed, its CLI runs, while `exec` and the emulator fail with one message naming it,
 * before any request.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
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

/** Errors from the CommonJS build pass the ES module build's guards, and the other way round; `instanceof` does not. */
const DUAL = `import { createRequire } from 'node:module';
import * as esm from 'boxlite-rx';
const cjs = createRequire(import.meta.url)('boxlite-rx');
const fromCjs = new cjs.ExecutionGoneError('e1');
const fromEsm = new esm.ExecutionGoneError('e1');
console.log(JSON.stringify({
  distinctCopies: esm.BoxliteError !== cjs.BoxliteError,
  esmGuardsCjsError: esm.isBoxliteError(fromCjs) && esm.isExecutionGoneError(fromCjs),
  cjsGuardsEsmError: cjs.isBoxliteError(fromEsm) && cjs.isExecutionGoneError(fromEsm),
  instanceofAcross: fromCjs instanceof esm.BoxliteError,
}));
`;

/** Without `ws`: `exec` fails before its POST (the server counts requests), and the emulator names `ws`. */
const WITHOUT_WS = `import { createServer } from 'node:http';
import { createRunnerClient, isBoxliteError, isMissingPeerDependencyError } from 'boxlite-rx';
import { firstValueFrom } from 'rxjs';
let requests = 0;
const server = createServer((req, res) => {
  requests += 1;
  res.writeHead(201, { 'content-type': 'application/json' }).end('{"execution_id":"e1"}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const client = createRunnerClient({ baseUrl: 'http://127.0.0.1:' + server.address().port, token: 'secret-token' });
const execError = await firstValueFrom(client.exec('box-1', { command: 'echo' })).catch((error) => error);
server.close();
const testing = await import('boxlite-rx/testing');
const emulatorError = await testing.startRunnerEmulator().catch((error) => error);
const describe = (error) => ({ name: error.name, message: error.message, peer: isMissingPeerDependencyError(error) && isBoxliteError(error) });
console.log(JSON.stringify({ requests, exec: describe(execError), emulator: describe(emulatorError) }));
`;

/**
 * Without `ws`, on a runtime with a WebSocket of its own (Node 22 and later): exec through the
 * emulator at argv[2] (token argv[3]) with a cut and its drain, then with a cut and a drain whose
 * first upgrade is refused with 409 (the runtime's socket shows no status: retried as one).
 */
const NO_WS_EXEC = `import { createRunnerClient, toExecResult } from 'boxlite-rx';
import { firstValueFrom } from 'rxjs';
const [, , baseUrl, token] = process.argv;
const client = createRunnerClient({ baseUrl, token });
const results = {};
for (const command of ['cut', 'conflict']) {
  const { stdout, exitCode, exitSource, notices } = await firstValueFrom(client.exec('box-1', { command }).pipe(toExecResult()));
  results[command] = { stdout, exitCode, exitSource, notices: notices.map((notice) => notice.kind) };
}
console.log(JSON.stringify(results));
`;

/**
 * A fresh clone of the working tree: the files git would commit (tracked and new, none it
 * ignores, so no `dist/`), with the repository's `node_modules` linked in for the build tools.
 */
function freshClone(into: string): string {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(ROOT, file), join(into, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(into, 'node_modules'), 'dir');
  return into;
}

describe('the packed package in a fresh project', () => {
  let dir = '';
  /** Has the tarball, rxjs, ws and cross-fetch. */
  let app = '';
  /** Has the tarball and rxjs only, beside (not under) `app`. */
  let cli = '';
  let packedFiles: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'boxlite-rx-consumer-'));
    const clone = freshClone(join(dir, 'clone'));
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    // The build that prepack runs prints to the same stdout, before the JSON report.
    const report = await npm(['pack', '--json', '--pack-destination', dir], clone);
    const [packed] = JSON.parse(report.slice(report.search(/^\[\s*$/m))) as {
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
    writeFileSync(join(app, 'dual.mjs'), DUAL);
    writeFileSync(join(cli, 'without-ws.mjs'), WITHOUT_WS);
    writeFileSync(join(cli, 'no-ws-exec.mjs'), NO_WS_EXEC);
  }, 3 * STEP_TIMEOUT_MS);

  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('ships the build that prepack made, package.json, the README, the LICENSE, the docs and the examples', () => {
    const others = packedFiles.filter((path) => !path.startsWith('dist/') && !path.startsWith('docs/') && !path.startsWith('examples/'));
    expect(others.sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.cjs', 'dist/testing.d.ts', 'dist/testing.d.cts', 'dist/cli.js']));
    expect(packedFiles).toEqual(expect.arrayContaining(['docs/protocol.md', 'docs/delivery.md', 'docs/marbles/README.md', 'examples/angular/app.config.ts']));
  });

  it('every relative link of the shipped README and docs resolves to a shipped file', () => {
    const shipped = new Set(packedFiles);
    const broken: string[] = [];
    for (const page of packedFiles.filter((path) => path.endsWith('.md'))) {
      const text = readFileSync(join(ROOT, page), 'utf8');
      for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
        const path = posix.normalize(posix.join(posix.dirname(page), target.split('#')[0] ?? ''));
        const found = path.endsWith('/') ? packedFiles.some((file) => file.startsWith(path)) : shipped.has(path);
        if (!found) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('runs an exec from an ES module: exact output and exit code', async () => {
    const result = await run(process.execPath, ['esm.mjs'], app, 15_000);
    expect(result).toEqual({ code: 3, stdout: 'hello from esm\n', stderr: 'warn\nexit source: frame, attaches: 1\n' });
  });

  it('runs an exec from CommonJS through a cut and the drain: exact output and exit code', async () => {
    const result = await run(process.execPath, ['cjs.cjs'], app, 15_000);
    expect(result).toEqual({ code: 0, stdout: 'drained in cjs\n', stderr: 'exit source: frame, attaches: 2\n' });
  });

  it('one guard recognises the errors of both builds, loaded side by side', async () => {
    const result = await run(process.execPath, ['dual.mjs'], app, 15_000);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      distinctCopies: true,
      esmGuardsCjsError: true,
      cjsGuardsEsmError: true,
      instanceofAcross: false,
    });
  });

  // Node 20 has no WebSocket of its own; Node 22 and later do (CI runs this file on each).
  const ownWebSocket = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';

  it.skipIf(ownWebSocket)('without ws, where the runtime has no WebSocket: exec fails before its POST naming the runtime, and the emulator of boxlite-rx/testing names ws', async () => {
    expect(existsSync(join(cli, 'node_modules', 'ws'))).toBe(false);
    const result = await run(process.execPath, ['without-ws.mjs'], cli, 15_000);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      requests: 0,
      exec: {
        name: 'MissingPeerDependencyError',
        message: `boxlite-rx: attaching from Node ${process.versions.node} (no WebSocket of its own) without a \`WebSocket\` option needs the optional peer dependency 'ws': npm install ws`,
        peer: true,
      },
      emulator: {
        name: 'MissingPeerDependencyError',
        message: "boxlite-rx/testing: the runner emulator needs the peer dependency 'ws': npm install --save-dev ws",
        peer: true,
      },
    });
  });

  it.runIf(ownWebSocket)("without ws, on a runtime with its own WebSocket: exec uses it, a cut drains exactly, a drain refused with 409 (no status to see) is retried", async () => {
    expect(existsSync(join(cli, 'node_modules', 'ws'))).toBe(false);
    const em = await startRunnerEmulator({
      scripts: {
        cut: { steps: [{ stdout: 'drained without ws\n' }, { exit: 4 }], attachFaults: [{ cut: { after: { outputBytes: 7 } } }] },
        conflict: {
          steps: [{ stdout: 'drained after a 409\n' }, { exit: 5 }],
          attachFaults: [{ cut: { after: { outputBytes: 7 } } }, { reject: { status: 409 } }],
        },
      },
    });
    try {
      const result = await run(process.execPath, ['no-ws-exec.mjs', em.url, em.token], cli, 30_000);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual({
        cut: { stdout: 'drained without ws\n', exitCode: 4, exitSource: 'frame', notices: [] },
        conflict: { stdout: 'drained after a 409\n', exitCode: 5, exitSource: 'frame', notices: [] },
      });
      expect(em.stats.rejectedByFault).toBe(1);
    } finally {
      await em.close();
    }
  });

  it('bundles for a browser from the browser build (the browser condition), without ws or cross-fetch', async () => {
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
    expect(inputs.some((input) => input.includes('node_modules/boxlite-rx/dist/index.browser.js'))).toBe(true);
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
