// @module-tag slow/process
/**
 * The AOT path: ngc (@angular/compiler-cli, strict templates) compiles `boxlite-rx/angular` and
 * examples/angular; the compiled entry then runs in a zoneless TestBed against the emulator, and
 * the compiled example component carries its template as code, no JIT left.
 */
// First: Angular's own packages are partially compiled and need the JIT compiler loaded before them.
import '@angular/compiler';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { EnvironmentInjector, provideZonelessChangeDetection } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startRunnerEmulator, type RunnerEmulator } from '../src/testing/index.js';
import { useAngularTestBed } from './support/angularTestBed.js';

useAngularTestBed();

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NGC = join(ROOT, 'node_modules', '@angular', 'compiler-cli', 'bundles', 'src', 'bin', 'ngc.js');
const NGC_TIMEOUT_MS = 120_000;

/**
 * Where ngc writes: a temporary directory whose `node_modules` links to the project's, so the
 * compiled files load the same `@angular/*` and `rxjs` as the test; `boxlite-rx` is the vitest alias.
 */
let outDir = '';

/** Runs ngc on a tsconfig; rejects with its diagnostics on failure or after the timeout. */
function ngc(project: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [NGC, '-p', project], { cwd: ROOT, timeout: NGC_TIMEOUT_MS }, (error, stdout, stderr) =>
      error ? reject(new Error(`ngc failed: ${error.message}\n${stdout}${stderr}`)) : resolve(),
    );
  });
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'boxlite-rx-ngc-'));
  symlinkSync(join(ROOT, 'node_modules'), join(outDir, 'node_modules'), 'junction');
  const project = join(outDir, 'tsconfig.json');
  writeFileSync(
    project,
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ES2022',
        moduleResolution: 'bundler',
        lib: ['ES2022', 'DOM'],
        types: ['node'],
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        experimentalDecorators: true,
        skipLibCheck: true,
        noEmitOnError: true,
        rootDir: ROOT,
        outDir,
        paths: {
          'boxlite-rx': [join(ROOT, 'src/index.ts')],
          'boxlite-rx/angular': [join(ROOT, 'src/angular/index.ts')],
        },
      },
      files: [join(ROOT, 'src/angular/index.ts'), join(ROOT, 'examples/angular/app.config.ts'), join(ROOT, 'examples/angular/terminal.component.ts')],
      angularCompilerOptions: { compilationMode: 'full', strictTemplates: true, strictInjectionParameters: true },
    }),
  );
  await ngc(project);
}, NGC_TIMEOUT_MS + 10_000);

afterAll(() => {
  if (outDir !== '') rmSync(outDir, { recursive: true, force: true });
});

let emulator: RunnerEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('boxlite-rx/angular compiled AOT by ngc', () => {
  it('runs a command in TestBed: REST through HttpClient, output into signals', async () => {
    const compiled = (await import(pathToFileURL(join(outDir, 'src/angular/index.js')).href)) as typeof import('../src/angular/index.js');
    const em = (emulator = await startRunnerEmulator({ scripts: { hello: { steps: [{ stdout: 'hello\n' }, { stderr: 'done\n' }, { exit: 4 }] } } }));
    const calls: string[] = [];
    TestBed.configureTestingModule({
      providers: [
        provideZonelessChangeDetection(),
        provideHttpClient(
          withFetch(),
          withInterceptors([
            (req, next) => {
              calls.push(`${req.method} ${new URL(req.url).pathname} boxlite=${String(req.context.get(compiled.BOXLITE_REQUEST))}`);
              return next(req);
            },
          ]),
        ),
        compiled.provideBoxliteClient({ baseUrl: em.url, token: em.token }),
      ],
    });
    const run = TestBed.inject(EnvironmentInjector).runInContext(() =>
      compiled.toExecSignals(compiled.injectBoxliteClient().exec('box-1', { command: 'hello' })),
    );

    await vi.waitFor(() => expect(run.status()).toBe('exited'), { timeout: 5_000, interval: 5 });
    expect([run.stdout(), run.stderr(), run.exitCode(), run.error()]).toEqual(['hello\n', 'done\n', 4, undefined]);
    expect(calls).toEqual(['POST /v1/boxes/box-1/exec boxlite=true']);
  });

  it("compiles the example's template (strict templates) into the component definition", async () => {
    const source = readFileSync(join(outDir, 'examples/angular/terminal.component.js'), 'utf8');
    expect(source).toContain('ɵɵdefineComponent');
    expect(source).not.toContain('__decorate');
    const { TerminalComponent } = (await import(pathToFileURL(join(outDir, 'examples/angular/terminal.component.js')).href)) as {
      TerminalComponent: { ɵcmp?: { selectors: unknown } };
    };
    expect(TerminalComponent.ɵcmp?.selectors).toEqual([['app-terminal']]);
  });
});
