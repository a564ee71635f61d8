// @module-tag slow/browser
/**
 * The ESM build in a real browser (headless Chromium): the page runs `exec` with the browser's own
 * WebSocket and fetch, through a same-origin gateway that holds the token, against the emulator.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGateway, startRunnerEmulator, type Gateway, type RunnerEmulator } from '../../src/testing/index.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const available = existsSync(CHROMIUM);
if (!available) console.warn(`test/browser skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);

/** What the page reports of one exec. */
interface PageResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly exitSource: string;
  readonly notices: readonly string[];
}

/**
 * The import map: bare `rxjs` and `tslib` to their ES modules, and each extensionless relative
 * import inside rxjs's ESM build (`./internal/Observable`) to its `.js` file, as a bundler would.
 */
function importMap(): string {
  const esm = join(ROOT, 'node_modules', 'rxjs', 'dist', 'esm');
  const imports: Record<string, string> = {
    rxjs: '/node_modules/rxjs/dist/esm/index.js',
    tslib: '/node_modules/tslib/tslib.es6.mjs',
  };
  for (const entry of readdirSync(esm, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.js')) continue;
    const url = `/node_modules/rxjs/dist/esm/${entry.split(sep).join('/')}`;
    imports[url.slice(0, -'.js'.length)] = url;
  }
  return JSON.stringify({ imports });
}

/** The page: the library's ESM build as it is, no bundler, no token anywhere. */
const pageHtml = (): string => `<!doctype html>
<meta charset="utf-8">
<title>boxlite-rx in a browser</title>
<script type="importmap">${importMap()}</script>
<script type="module">
import { firstValueFrom } from 'rxjs';
import { createRunnerClient, toExecResult } from '/dist/index.js';

const client = createRunnerClient({ baseUrl: location.origin, webSocketAuth: 'none' });
// A command that starts at POST /exec, as it does without the start gate: the PR #627 drain.
const ungated = createRunnerClient({ baseUrl: location.origin, webSocketAuth: 'none', startGate: false });
window.runExec = async (command, gate) => {
  const result = await firstValueFrom((gate ? client : ungated).exec('box-1', { command }).pipe(toExecResult()));
  const { stdout, stderr, exitCode, exitSource } = result;
  return { stdout, stderr, exitCode, exitSource, notices: result.notices.map((notice) => notice.kind) };
};
</script>
`;

describe.skipIf(!available)('the ESM build in headless Chromium, through a same-origin gateway', () => {
  let emulator: RunnerEmulator;
  let gateway: Gateway;
  let context: BrowserContext;
  let page: Page;
  let profile = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error("dist/ is missing: run 'npm run build' first (npm test does)");
    emulator = await startRunnerEmulator({
      scripts: {
        hello: { steps: [{ stdout: 'hello from the browser\n' }, { stderr: 'warn\n' }, { exit: 3 }] },
        cut: { steps: [{ stdout: 'drained after the cut\n' }, { exit: 0 }], attachFaults: [{ cut: { after: 'upgrade' } }] },
      },
    });
    gateway = await startGateway({
      upstream: emulator.url,
      token: emulator.token,
      pages: { '/': pageHtml() },
      static: {
        '/dist/': join(ROOT, 'dist'),
        '/node_modules/rxjs/': join(ROOT, 'node_modules', 'rxjs'),
        '/node_modules/tslib/': join(ROOT, 'node_modules', 'tslib'),
      },
    });
    profile = mkdtempSync(join(tmpdir(), 'boxlite-rx-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
    // The login this stands for happened elsewhere: the browser holds only an HttpOnly session cookie.
    await context.addCookies([{ ...gateway.sessionCookie, url: gateway.url, httpOnly: true, sameSite: 'Strict' }]);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${gateway.url}/`, { timeout: 10_000 });
    await page.waitForFunction(() => 'runExec' in window, undefined, { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await gateway?.close();
    await emulator?.close();
    if (profile !== '') rmSync(profile, { recursive: true, force: true });
  });

  const runExec = (command: string, gate = true): Promise<PageResult> =>
    page.evaluate(([name, gated]) => (window as unknown as { runExec(c: string, g: boolean): Promise<PageResult> }).runExec(name, gated), [command, gate] as const);

  it('runs an exec with the browser WebSocket and fetch: exact output and exit code', async () => {
    const before = { ...emulator.stats };
    const through = { ...gateway.stats };
    expect(await runExec('hello')).toEqual({ stdout: 'hello from the browser\n', stderr: 'warn\n', exitCode: 3, exitSource: 'frame', notices: [] });
    expect(emulator.stats.attachAttempts - before.attachAttempts).toBe(1);
    // Everything went through the gateway: POST /exec, then one upgrade.
    expect([gateway.stats.requests - through.requests, gateway.stats.upgrades - through.upgrades]).toEqual([1, 1]);
    expect(emulator.stats.unauthorized).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('without the start gate, drains after a cut right after the upgrade: the output, then the exit frame of the re-attach', async () => {
    const before = { ...emulator.stats };
    const through = { ...gateway.stats };
    expect(await runExec('cut', false)).toEqual({ stdout: 'drained after the cut\n', stderr: '', exitCode: 0, exitSource: 'frame', notices: [] });
    expect(emulator.stats.cuts - before.cuts).toBe(1);
    expect(emulator.stats.attachAttempts - before.attachAttempts).toBe(2);
    // POST /exec and the probe (the browser's fetch), the cut socket and the drain (its WebSocket).
    expect([gateway.stats.requests - through.requests, gateway.stats.upgrades - through.upgrades]).toEqual([2, 2]);
    expect(emulator.stats.unauthorized).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('with the start gate, a cut right after the upgrade finds the command waiting: one reconnect, the output once', async () => {
    const before = { ...emulator.stats };
    expect(await runExec('cut')).toEqual({
      stdout: 'drained after the cut\n',
      stderr: '',
      exitCode: 0,
      exitSource: 'frame',
      notices: ['reconnecting', 'reconnected'],
    });
    expect(emulator.stats.cuts - before.cuts).toBe(1);
    expect(emulator.stats.attachAttempts - before.attachAttempts).toBe(2);
    expect(pageErrors).toEqual([]);
  });

  it('the gateway refuses the API without the session cookie, and upgrades from another origin', async () => {
    const refused = gateway.stats.refused;
    const noCookie = await fetch(`${gateway.url}/v1/boxes/box-1/exec`, { method: 'POST', body: '{"command":"hello"}' });
    expect(noCookie.status).toBe(401);
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/boxes/box-1/executions/x/attach`, {
        origin: 'https://evil.example',
        headers: { cookie: `${gateway.sessionCookie.name}=${gateway.sessionCookie.value}` },
      });
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('open', () => reject(new Error('a cross-origin upgrade was let through')));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(403);
    expect(gateway.stats.refused - refused).toBe(2);
  });
});
