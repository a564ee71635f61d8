// @module-tag slow/process
/**
 * `boxlite-rx emulator --script NAME=FILE --main-session BOX_ID=NAME --read-only-attach READING`,
 * the built CLI: the banner names the main session, `boxlite-rx attach BOX_ID` follows it (exact
 * output, its exit code, -v its id), and the reading given replaces the server's own.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { runCli, spawnCli, type CliChild } from '../support/cli.js';
import { printed } from '../support/cliOutput.js';
import { within } from '../support/within.js';

/** The emulator CLI with `args`, once its banner is out; its URL. */
async function started(args: readonly string[]): Promise<{ cli: CliChild; url: string; banner: string }> {
  const cli = spawnCli(['emulator', '--port', '0', '--token', 'cli-token', ...args]);
  await printed(cli, 'Ctrl-C to stop.\n', 10_000);
  const banner = cli.stdout().toString();
  return { cli, url: /listening on (\S+)/.exec(banner)?.[1] ?? '', banner };
}

/** The status an attach upgrade with `?stdin=bogus` is answered with (101 when it opens). */
function upgradeStatus(url: string, id: string): Promise<number> {
  return within(
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/boxes/box-1/executions/${id}/attach?stdin=bogus`, {
        headers: { authorization: 'Bearer cli-token' },
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', reject);
    }),
    5_000,
    'the upgrade',
  );
}

const scriptFile = (steps: unknown[]): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'boxlite-rx-main-')), 'main.json');
  writeFileSync(file, JSON.stringify({ steps }));
  return file;
};

describe('boxlite-rx emulator --main-session and --read-only-attach', () => {
  it('parses into the emulator command', () => {
    expect(parseArgs(['emulator', '--script', 'main=/m.json', '--main-session', 'box-1=main', '--read-only-attach', 'ignored'], {})).toMatchObject({
      kind: 'emulator',
      scripts: { main: '/m.json' },
      mainSessions: { 'box-1': 'main' },
      readOnlyAttach: 'ignored',
    });
    expect(parseArgs(['emulator'], {})).toMatchObject({ scripts: {}, mainSessions: {}, readOnlyAttach: undefined });
  });

  it('attach BOX_ID follows the main session the CLI gave the box: exact output, exit 3, -v its id', async () => {
    const file = scriptFile([{ stdout: 'main session: démarrée ✓\n' }, { echoStdin: true }, { exit: 3 }]);
    const { cli, url, banner } = await started(['--script', `main=${file}`, '--main-session', 'box-1=main']);
    try {
      expect(banner).toContain('\nmain session of box-1: script main (boxlite-rx attach box-1)\n');
      const run = await runCli(['attach', '-v', '--url', url, '--token', 'cli-token', 'box-1'], { stdin: 'typed line\nligne 2 ✓\n' });
      expect(run.stdout.toString('utf8')).toBe('main session: démarrée ✓\ntyped line\nligne 2 ✓\n');
      expect(run.stderr.toString()).toMatch(/^boxlite-rx: execution exec-[0-9a-f-]+\n$/);
      expect(run.code).toBe(3);
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
  });

  it.each([
    [[], 101],
    [['--read-only-attach', 'serve'], 400],
    [['--server', 'serve', '--read-only-attach', 'runner'], 101],
    [['--server', 'serve'], 400],
  ] as const)('%j: attach ?stdin=bogus answered %i (serve reads it strictly, the runner only knows false)', async (args, status) => {
    const file = scriptFile([{ stdout: 'x\n' }, { waitMs: 30_000 }, { exit: 0 }]);
    const { cli, url } = await started(['--script', `tail=${file}`, ...args]);
    try {
      const response = await fetch(`${url}/v1/boxes/box-1/exec`, {
        method: 'POST',
        headers: { authorization: 'Bearer cli-token', 'content-type': 'application/json' },
        body: JSON.stringify({ command: 'tail' }),
      });
      const { execution_id: id } = (await response.json()) as { execution_id: string };
      expect(await upgradeStatus(url, id)).toBe(status);
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
  });
});
