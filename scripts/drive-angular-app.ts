/**
 * Drives a production build of examples/angular (made by `.ci/angular.sh` with the Angular CLI) in
 * headless Chromium against the emulator, the way test/browser/exec.test.ts drives the ESM build:
 * a same-origin gateway serves the app and holds the token, the browser only a session cookie.
 *
 * 1. "ls -la": UTF-8 split across frames, long shared line endings and repeats, stderr, a cut
 *    in the middle of the output and its drain (the rest from the replay, aligned): exact stdout
 *    and stderr once each, then "exit 4".
 * 2. "ls -la" again, a command that keeps running: its first line, then "kill": "exit 137".
 *
 * Usage: `tsx scripts/drive-angular-app.ts <the build's browser/ folder>`; exit 0 when both pass.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startGateway, startRunnerEmulator, type Script } from '../src/testing/index.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Bound of each wait for the page. */
const WAIT_MS = 15_000;

const encoder = new TextEncoder();
const ENDING = ' drwxr-xr-x 2 runner runner 4096 Dec  6 19:27 .cache/boxlite-rx/angular/ci/build-output\n';
const FIRST = 'résumé-✓-日本語.txt 🚀\n';
const STDOUT = [FIRST, 'total 48\n', ...Array.from({ length: 40 }, (_, index) => `${String(index % 3)}${ENDING}`)].join('');
const STDERR = "ls: cannot access 'lost+found': Permission denied\n";
/** Where the first socket is cut: inside the fifth frame below. */
const CUT_AT_BYTE = 1500;
/**
 * The stdout as frames: the first line cut inside "é" and inside "🚀", so the live socket splits
 * characters across frames; what follows the cut comes in the drain's replay.
 */
function stdoutFrames(): Script['steps'] {
  const bytes = encoder.encode(STDOUT);
  const rocket = encoder.encode(FIRST).length - 4;
  const cuts = [0, 2, rocket + 2, encoder.encode(FIRST).length, 700, 1800, bytes.length];
  return cuts.slice(1).map((end, index) => ({ stdout: bytes.slice(cuts[index], end) }));
}

const dir = resolve(process.argv[2] ?? '');
if (!existsSync(join(dir, 'index.html'))) throw new Error(`drive-angular-app: no index.html in ${dir}: give the build's browser/ folder`);

let executions = 0;
const emulator = await startRunnerEmulator({
  scripts: {
    ls: (): Script =>
      ++executions === 1
        ? { steps: [{ waitForAttach: true }, ...stdoutFrames(), { stderr: STDERR }, { exit: 4 }], attachFaults: [{ cut: { after: { outputBytes: CUT_AT_BYTE } } }] }
        : { steps: [{ waitForAttach: true }, { stdout: 'still listing\n' }, { waitMs: 60_000 }, { exit: 0 }] },
  },
});
const gateway = await startGateway({
  upstream: emulator.url,
  token: emulator.token,
  pages: { '/': readFileSync(join(dir, 'index.html'), 'utf8') },
  static: { '/': dir },
});
const profile = mkdtempSync(join(tmpdir(), 'boxlite-rx-angular-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });

/** The page's output, exit line and errors once the exit line shows. */
async function shown(page: Page): Promise<{ stdout: string; stderr: string; exit: string }> {
  await page.locator('p').filter({ hasText: /^exit / }).waitFor({ timeout: WAIT_MS });
  return {
    stdout: (await page.locator('pre').first().textContent()) ?? '',
    stderr: (await page.locator('pre.stderr').textContent()) ?? '',
    exit: (await page.locator('p').textContent()) ?? '',
  };
}

let status = 0;
try {
  await context.addCookies([{ ...gateway.sessionCookie, url: gateway.url, httpOnly: true, sameSite: 'Strict' }]);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) pageErrors.push(`${String(response.status())} ${response.url()}`);
  });
  await page.goto(`${gateway.url}/`, { timeout: WAIT_MS });

  await page.getByRole('button', { name: 'ls -la' }).click({ timeout: WAIT_MS });
  deepStrictEqual(await shown(page), { stdout: STDOUT, stderr: STDERR, exit: 'exit 4' });
  deepStrictEqual([emulator.stats.cuts, emulator.stats.attachAttempts, emulator.stats.unauthorized], [1, 2, 0]);
  console.log('drive-angular-app: ls -la: exact stdout (%d bytes) and stderr, exit 4, after a cut at byte %d and its drain', encoder.encode(STDOUT).length, CUT_AT_BYTE);

  await page.getByRole('button', { name: 'ls -la' }).click({ timeout: WAIT_MS });
  await page.locator('pre').first().filter({ hasText: 'still listing' }).waitFor({ timeout: WAIT_MS });
  await page.getByRole('button', { name: 'kill' }).click({ timeout: WAIT_MS });
  deepStrictEqual(await shown(page), { stdout: 'still listing\n', stderr: '', exit: 'exit 137' });
  console.log('drive-angular-app: kill: exit 137');
  deepStrictEqual(pageErrors, []);
  console.log('drive-angular-app: both runs passed');
} catch (error) {
  console.error('drive-angular-app: failed:', error);
  status = 1;
} finally {
  await context.close();
  await gateway.close();
  await emulator.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exitCode = status;
