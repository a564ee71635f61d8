// @module-tag slow/process
/**
 * The README says what is true: its pipeline diagram runs through the real recovery pipeline (the
 * marble harness of `marbles/`), and its TypeScript samples, in order as one program, type-check
 * and run against the emulator with the output they promise.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { MarbleScenario } from '../marbles/scenario.js';
import { completed, exitFrame, stdout } from '../marbles/values.js';
import { runScenario } from './support/marbleHarness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Inside the repository, so that `rxjs` and `ws` resolve from its node_modules. */
const WORK = join(ROOT, 'node_modules', '.cache', 'boxlite-rx-readme');
const SOURCES: Readonly<Record<string, string>> = {
  'boxlite-rx': join(ROOT, 'src', 'index.ts'),
  'boxlite-rx/angular': join(ROOT, 'src', 'angular', 'index.ts'),
  'boxlite-rx/testing': join(ROOT, 'src', 'testing', 'index.ts'),
};

/** The fenced blocks of one language (`''`: none given), in order; each fence opens or closes in turn. */
function blocks(language: string): string[] {
  const found: string[] = [];
  let open: { language: string; lines: string[] } | undefined;
  for (const line of README.split('\n')) {
    if (!line.startsWith('```')) open?.lines.push(line);
    else if (open === undefined) open = { language: line.slice(3).trim(), lines: [] };
    else {
      if (open.language === language) found.push(`${open.lines.join('\n')}\n`);
      open = undefined;
    }
  }
  return found;
}

/** One lane of the diagram. */
interface Lane {
  readonly offset: number;
  readonly marble: string;
}

describe('the README pipeline diagram', () => {
  const diagram = blocks('').find((block) => block.startsWith('source:'));
  /** Label column width: the marbles start after `reattach:  `. */
  const LABEL = 11;
  /** Each lane's marble (up to its annotation) and how many frames after 0 it starts. */
  const lanes = Object.fromEntries(
    (diagram ?? '')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const lane = line.slice(LABEL);
        const marble = lane.trimStart().split(/ {2,}/)[0] ?? '';
        return [line.split(':')[0], { offset: lane.length - lane.trimStart().length, marble }];
      }),
  ) as Record<string, Lane>;

  /** `^` at the lane's subscription, `!` where the pipeline lets go: its error, or its last value. */
  const subscription = ({ offset, marble }: Lane): string => {
    const end = marble.includes('#') ? marble.indexOf('#') : Math.max(...[...marble].map((char, index) => (/[a-zA-Z]/.test(char) ? index : -1)));
    return `${'-'.repeat(offset)}^${'-'.repeat(end - 1)}!`;
  };

  it('has the four lanes', () => {
    expect(Object.keys(lanes)).toEqual(['source', 'probe', 'reattach', 'result']);
  });

  it('is what the pipeline does: a cut, a terminal probe, the replay, the replayed a dropped', () => {
    const { source, probe, reattach, result } = lanes as Record<'source' | 'probe' | 'reattach' | 'result', Lane>;
    const scenario: MarbleScenario = {
      protocolCase: 3,
      title: 'README: the recovery pipeline',
      claim: 'The README diagram',
      sockets: [
        { role: 'attach', marble: source.marble, error: 'cut', subscription: subscription(source) },
        { role: 'reattach', marble: reattach.marble, subscription: subscription(reattach) },
      ],
      probes: [{ marble: probe.marble, subscription: subscription(probe) }],
      expected: result.marble,
      values: { a: stdout('a'), b: stdout('b'), R: stdout('ab'), t: completed(0), x: exitFrame(0) },
    };
    runScenario(scenario);
  });
});

/** What the samples need and do not define: the server (the emulator), a token, a box and a request. */
const PRELUDE = `import { startRunnerEmulator } from 'boxlite-rx/testing';
import { takeUntil, timeout, timer } from 'rxjs';
const emulator = await startRunnerEmulator({
  scripts: {
    python3: (request) => ({ steps: [{ stdout: request.args?.join(' ') === '-c print("hello")' ? 'hello\\n' : 'wrong args\\n' }, { exit: 0 }] }),
    cat: { steps: [{ echoStdin: true }, { exit: 0 }] },
    login: { steps: [{ stdout: 'login: ' }, { echoStdin: true }, { exit: 0 }] },
  },
  mainSessions: { 'box-1': 'login' },
});
process.env.BOXLITE_REST_URL = emulator.url;
const getFreshToken = async (): Promise<string> => emulator.token;
const box = 'box-1';
const request = { command: 'python3', args: ['-c', 'print("hello")'] };
/** The streaming sample printed its exit line: its last act. */
const streamed = new Promise<void>((resolve) => {
  const log = console.log.bind(console);
  console.log = (...args: unknown[]) => {
    log(...args);
    if (args[0] === 'exit') resolve();
  };
});
`;

/** After the samples: the first sample's result, once the streaming one is done; what the observers' sample saw. */
const EPILOGUE = `
await streamed;
console.log(JSON.stringify({ exitCode, stdout, stderr }));
console.log(JSON.stringify({ listed: executions.map((e) => e.command), watched: watched.stdout, session: session.stdout }));
await emulator.close();
`;

/** The samples as one module: every import merged at the top, then the prelude, the samples in order, the epilogue. */
function program(samples: readonly string[]): string {
  const imports = new Map<string, Set<string>>();
  const bodies: string[] = [];
  for (const source of [PRELUDE, ...samples, EPILOGUE]) {
    const body = source.replace(/^import \{([^}]*)\} from '([^']+)';\n/gm, (_line, names: string, from: string) => {
      const set = imports.get(from) ?? new Set<string>();
      for (const name of names.split(',').map((part) => part.trim()).filter(Boolean)) set.add(name);
      imports.set(from, set);
      return '';
    });
    bodies.push(body);
  }
  const head = [...imports].map(([from, names]) => `import { ${[...names].sort().join(', ')} } from '${from}';`);
  return `${head.join('\n')}\n${bodies.join('\n')}`;
}

function typeErrors(file: string): string[] {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const paths = Object.fromEntries(Object.entries(SOURCES).map(([name, path]) => [name, [path]]));
  const compiled = ts.createProgram([file], { ...options, paths, noEmit: true });
  return ts
    .getPreEmitDiagnostics(compiled)
    .filter((diagnostic) => diagnostic.file?.fileName === file)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

function runNode(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd: ROOT, timeout: 15_000 }, (error, out, err) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout: out, stderr: err });
    });
  });
}

/** The Angular sample is a component member: it type-checks inside a class (running it needs an injection context). */
const isAngularMember = (sample: string): boolean => sample.startsWith('readonly ');

describe('the README TypeScript samples', () => {
  const samples = blocks('ts').filter((sample) => !isAngularMember(sample));
  const angular = blocks('ts').filter(isAngularMember);

  it('are the known ones (a new sample needs its context and expected output here)', () => {
    expect(blocks('ts').map((sample) => sample.split('\n')[0])).toEqual([
      "import { createRunnerClient, toExecResult } from 'boxlite-rx';",
      "import { decodeUtf8 } from 'boxlite-rx';",
      "import { firstValueFrom } from 'rxjs';",
      'client.exec(box, request).pipe(',
      "readonly run = toExecSignals(injectBoxliteClient().exec('box-1', { command: 'ls' }));",
    ]);
  });

  it('the Angular sample type-checks as a component member', () => {
    mkdirSync(WORK, { recursive: true });
    const source = join(WORK, 'angular.ts');
    const members = angular.join('\n');
    writeFileSync(source, `import { injectBoxliteClient, toExecSignals } from 'boxlite-rx/angular';\nexport class Sample {\n${members}}\n`);
    expect(typeErrors(source)).toEqual([]);
  });

  it('type-check and run, in order, against the emulator, printing what they promise', async () => {
    mkdirSync(WORK, { recursive: true });
    const source = join(WORK, 'samples.ts');
    writeFileSync(source, program(samples));
    expect(typeErrors(source)).toEqual([]);
    const bundle = join(WORK, 'samples.mjs');
    await build({
      entryPoints: [source],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['rxjs', 'ws', 'cross-fetch'],
      logLevel: 'silent',
      plugins: [
        {
          name: 'boxlite-rx sources',
          setup(builder) {
            builder.onResolve({ filter: /^boxlite-rx(\/testing)?$/ }, ({ path }) => ({ path: SOURCES[path] as string }));
          },
        },
      ],
    });
    const result = await runNode(bundle);
    expect(result).toEqual({
      code: 0,
      stdout:
        'line 1\nline 2\nexit 0\n{"exitCode":0,"stdout":"hello\\n","stderr":""}\n' +
        '{"listed":["login","python3 -c print(\\"hello\\")","cat"],"watched":"login: yes\\n","session":"login: yes\\n"}\n',
      stderr: '',
    });
  });
});
