// @module-tag slow/process
/**
 * `boxlite-rx emulator --server runner|serve`, and `--replay` as its alias by replay shape (the old
 * spellings `single` and `chunked` included): parsed into one server, contradictions a usage error;
 * the built CLI then serves that server's bodies.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { runCli, spawnCli } from '../support/cli.js';
import { within } from '../support/within.js';

const serverOf = (...args: string[]): unknown => {
  const command = parseArgs(['emulator', ...args], {});
  return command.kind === 'emulator' ? command.server : command.kind;
};

describe('boxlite-rx emulator: the server', () => {
  it.each([
    [[], 'runner'],
    [['--server', 'runner'], 'runner'],
    [['--server', 'serve'], 'serve'],
    [['--replay', 'ring'], 'runner'],
    [['--replay', 'single'], 'runner'],
    [['--replay', 'chunks'], 'serve'],
    [['--replay=chunked'], 'serve'],
    [['--server', 'serve', '--replay', 'chunked'], 'serve'],
    [['--replay', 'single', '--server', 'runner'], 'runner'],
  ])('%j → %s', (args, server) => {
    expect(serverOf(...args)).toBe(server);
  });

  it.each([
    [['--server', 'cloud'], '--server must be runner or serve, got "cloud"'],
    [['--replay', 'bogus'], '--replay must be ring, chunks, single or chunked, got "bogus"'],
    [['--server', 'runner', '--replay', 'chunked'], '--replay must be ring or single with --server runner, got "chunked"'],
    [['--server', 'serve', '--replay', 'ring'], '--replay must be chunks or chunked with --server serve, got "ring"'],
  ])('%j is a usage error', (args, message) => {
    const error = (() => {
      try {
        return serverOf(...args);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ message, verb: 'emulator' });
  });

  it('a contradiction exits 2 with one line', async () => {
    const run = await runCli(['emulator', '--server', 'runner', '--replay', 'chunks']);
    expect(run.stderr.toString()).toBe(
      'boxlite-rx: --replay must be ring or single with --server runner, got "chunks" (see boxlite-rx emulator --help)\n',
    );
    expect(run.code).toBe(2);
  });

  it.each([
    [['--server', 'serve'], 'serve'],
    [['--replay', 'chunked'], 'serve'],
    [[], 'runner'],
  ] as const)('%j serves the bodies of %s', async (args, server) => {
    const cli = spawnCli(['emulator', '--port', '0', '--token', 'cli-token', ...args]);
    try {
      await within(
        new Promise<void>((resolve) => {
          const check = (): void => {
            if (cli.stdout().toString().includes('Ctrl-C to stop.\n')) resolve();
          };
          cli.child.stdout.on('data', check);
          check();
        }),
        10_000,
        'the banner',
      );
      const banner = cli.stdout().toString();
      const url = /listening on (\S+)/.exec(banner)?.[1] ?? '';
      expect(banner).toContain(
        server === 'serve'
          ? '\nreplay: one frame per stored chunk, like boxlite serve (exec --replay-shape auto, the default, finds it)\n'
          : '\nreplay: the whole ring in one frame, like the Go runner\n',
      );
      const missing = await fetch(`${url}/v1/boxes/box/executions/nope`, { headers: { authorization: 'Bearer cli-token' } });
      expect(await missing.json()).toEqual(
        server === 'serve'
          ? { error: { message: 'execution nope not found', type: 'NotFoundError', code: 'not_found' } }
          : { error: 'execution nope not found' },
      );
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
  });
});
