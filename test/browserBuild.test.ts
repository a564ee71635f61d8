/**
 * The browser build (`dist/index.browser.js`, package.json's `browser` condition of `.`): what a
 * browser bundler resolves `boxlite-rx` to. It holds no `ws` adapter and no loader of `ws` or
 * `cross-fetch` once minified (the `__BOXLITE_BROWSER__` branches), the other builds keep them, and it works:
 * run here with a DOM-style socket against the emulator, a cut output is drained exactly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BROWSER_ENTRY, bundleForBrowser } from '../scripts/bundle-size.js';
import { emulator } from './support/emulator.js';
import { StatuslessWebSocket } from './support/statuslessWebSocket.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, Record<string, unknown>>;
};

/** The minified browser bundle of `createRunnerClient` and `toExecResult` from `entry`. */
const minified = async (entry: string): Promise<string> => new TextDecoder().decode(await bundleForBrowser('createRunnerClient, toExecResult', entry));

/** What only Node needs: the `ws` adapter's events and the optional peers' loaders. */
const NODE_ONLY = ['unexpected-response', '"ping"', '"cross-fetch"', '"ws"', 'ERR_MODULE_NOT_FOUND'];

describe('the browser build', () => {
  it("is the `browser` condition of '.', first, with the ESM build's types", () => {
    const dot = pkg.exports['.'] ?? {};
    expect(Object.keys(dot)[0]).toBe('browser');
    expect(dot['browser']).toEqual({ types: './dist/index.d.ts', default: './dist/index.browser.js' });
    expect(BROWSER_ENTRY).toBe('./dist/index.browser.js');
    expect(existsSync(new URL('../dist/index.browser.js', import.meta.url)), "run 'npm run build' first (npm test does)").toBe(true);
  });

  it('minified, holds none of the Node-only code; the Node build keeps all of it', async () => {
    const browser = await minified('./dist/index.browser.js');
    const node = await minified('./dist/index.js');
    for (const text of NODE_ONLY) {
      expect(browser.includes(text), text).toBe(false);
      expect(node.includes(text), text).toBe(true);
    }
  });

  it('follows a cut execution exactly with a DOM-style socket', async () => {
    const em = await emulator({
      scripts: {
        logs: {
          steps: [{ stdout: 'GET /v1/boxes 200 12ms\n'.repeat(200) }, { stdout: 'ünïcödé ✓ done\n' }, { exit: 4 }],
          attachFaults: [{ cut: { after: { outputBytes: 1_500 } } }],
        },
      },
    });
    const browserBuild = (await import(new URL('../dist/index.browser.js', import.meta.url).href)) as typeof import('../src/index.js');
    const client = browserBuild.createRunnerClient({ baseUrl: em.url, token: em.token, WebSocket: StatuslessWebSocket as never });
    const result = await firstValueFrom(client.exec('box', { command: 'logs' }).pipe(browserBuild.toExecResult()));
    expect(result.stdout).toBe('GET /v1/boxes 200 12ms\n'.repeat(200) + 'ünïcödé ✓ done\n');
    expect(result.exitCode).toBe(4);
    expect(result.notices.filter((n) => n.kind !== 'reconnecting' && n.kind !== 'reconnected')).toEqual([]);
  });
});
