// @module-tag slow/process
import { describe, expect, it } from 'vitest';
import { USAGE, usageOf } from '../src/cli/usage.js';
import { connect, emulatorPerTest, runCli } from './support/cli.js';

const start = emulatorPerTest();

describe('boxlite-rx usage', () => {
  // One CLI start per test: a start took up to 8 s at load 12, so a test that ran a dozen in a row
  // outlasted its 60 s; each start has its own now.
  it.each(['-h', '--help'])('%s prints the whole usage and exits 0', async (flag) => {
    const run = await runCli([flag]);
    expect(run.stdout.toString()).toBe(`${USAGE}\n`);
    expect(run.stderr.toString()).toBe('');
    expect(run.code).toBe(0);
  });

  it.each((['exec', 'attach', 'emulator'] as const).flatMap((verb) => [[verb, '-h'], [verb, '--help']] as const))(
    '%s %s prints its usage and exits 0, whatever else is given',
    async (verb, flag) => {
      const run = await runCli([verb, '--url', 'http://127.0.0.1:1', flag, 'extra']);
      expect(run.stdout.toString()).toBe(`${usageOf(verb)}\n`);
      expect(run.stderr.toString()).toBe('');
      expect(run.code).toBe(0);
    },
  );

  it('--help after -- goes to the command', async () => {
    const em = await start({ allowProcesses: true });
    const run = await runCli(['exec', ...connect(em), 'box-1', '--', '/bin/sh', '-c', 'echo "$1"', 'sh', '--help']);
    expect(run.stdout.toString()).toBe('--help\n');
    expect(run.code).toBe(0);
  });

  it.each(['-V', '--version'])('%s prints the version and exits 0', async (flag) => {
    const run = await runCli([flag]);
    expect(run.stdout.toString()).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect(run.code).toBe(0);
  });

  it('takes the short flags -t, -e K=V, -w DIR and -v', async () => {
    const em = await start({ allowProcesses: true, generateExecutionId: () => 'exec-1' });
    const script = 'console.log(process.env.GREETING, process.cwd()); console.error("err")';
    const run = await runCli(['exec', ...connect(em), '-t', '-e', 'GREETING=hi', '-w', '/', '-v', 'box-1', '--', process.execPath, '-e', script]);
    // -t: a TTY execution sends stderr on the stdout channel.
    expect(run.stdout.toString()).toBe('hi /\nerr\n');
    expect(run.stderr.toString()).toBe('boxlite-rx: execution exec-1\n');
    expect(run.code).toBe(0);
  });

  const cat = { scripts: { cat: { steps: [{ echoStdin: true as const }, { exit: 0 }] } } };

  it.each([{ flags: ['-it'] }, { flags: ['-t'] }, { flags: ['-i'] }, { flags: [] }])(
    'takes -i and bundles of short flags (-it), docker style; a piped stdin is forwarded with or without -i: $flags',
    async ({ flags }) => {
      const em = await start(cat);
      const run = await runCli(['exec', ...connect(em), ...flags, 'box-1', '--', 'cat'], { stdin: 'piped\n' });
      expect(run.stdout.toString()).toBe('piped\n');
      expect(run.code).toBe(0);
    },
  );

  it('attach takes -iv', async () => {
    const em = await start(cat);
    const attached = await runCli(['exec', ...connect(em), '-dt', 'box-1', '--', 'cat']);
    const id = attached.stdout.toString().trim();
    const run = await runCli(['attach', ...connect(em), '-iv', 'box-1', id], { stdin: 'again\n' });
    expect(run.stdout.toString()).toBe('again\n');
    expect(run.code).toBe(0);
  });

  const usageErrors: [string[], string][] = [
    [['frobnicate'], 'boxlite-rx: unknown command "frobnicate" (see boxlite-rx --help)\n'],
    [['exec', '--url', 'http://127.0.0.1:1', '--bogus', 'box-1', '--', 'x'], 'boxlite-rx: exec: unknown option --bogus (see boxlite-rx exec --help)\n'],
    [['exec', '--url', 'http://127.0.0.1:1', '-x', 'box-1', '--', 'x'], 'boxlite-rx: exec: unknown option -x (see boxlite-rx exec --help)\n'],
    [['exec', '--url', 'http://127.0.0.1:1', 'box-1'], 'boxlite-rx: exec needs a command after -- (see boxlite-rx exec --help)\n'],
    [['attach', '--url', 'http://127.0.0.1:1', '-t', 'box-1', 'e'], 'boxlite-rx: attach: unknown option -t (see boxlite-rx attach --help)\n'],
    [['exec', '--url', 'http://127.0.0.1:1', '-itw', '/', 'box-1', '--', 'x'], 'boxlite-rx: exec: unknown option -itw (see boxlite-rx exec --help)\n'],
    [['attach', '--url', 'http://127.0.0.1:1', '-it', 'box-1', 'e'], 'boxlite-rx: attach: unknown option -it (see boxlite-rx attach --help)\n'],
    [['emulator', '--port', 'x'], 'boxlite-rx: --port must be 0-65535, got "x" (see boxlite-rx emulator --help)\n'],
    [['exec', 'box-1', '--', 'x'], 'boxlite-rx: no server URL: pass --url or set BOXLITE_REST_URL (see boxlite-rx exec --help)\n'],
    [
      ['exec', '--url', 'http://127.0.0.1:1', '--output-memory', '512', 'box-1', '--', 'x'],
      'boxlite-rx: --output-memory must be a size of at least 1K (like 64M), got "512" (see boxlite-rx exec --help)\n',
    ],
    [
      ['attach', '--url', 'http://127.0.0.1:1', '--output-memory=64Q', 'box-1', 'e'],
      'boxlite-rx: --output-memory must be a size of at least 1K (like 64M), got "64Q" (see boxlite-rx attach --help)\n',
    ],
    [
      ['exec', '--url', 'http://127.0.0.1:1', '-d', '--output-memory', '1M', 'box-1', '--', 'x'],
      'boxlite-rx: --output-memory does not apply to --detach (nothing is followed) (see boxlite-rx exec --help)\n',
    ],
  ];

  it.each(usageErrors)('a usage error prints one line with one hint and exits 2: %j', async (args, line) => {
    const run = await runCli(args);
    expect(run.stderr.toString()).toBe(line);
    expect(run.stdout.length).toBe(0);
    expect(run.code).toBe(2);
  });
});
