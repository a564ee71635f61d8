// @module-tag slow/process
/**
 * The `WebSocket` option takes, without a cast, the WebSocket a user has at hand: `ws`'s class and
 * the global one of lib.dom, of @types/node ≥ 22 (undici), of Bun and of Deno. Each fixture is a
 * consumer of the built declarations (`dist/`, found by the package's own name), compiled alone
 * with only its own types, under nodenext and bundler, by TypeScript 6.0 and 5.9. Something that is
 * not a WebSocket is still refused, and the declarations need no DOM.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts6 from 'typescript';
import ts59 from 'typescript-5.9';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/** The fixtures live in memory, inside the package, so `boxlite-rx` is its self-reference. */
const FIXTURE = join(ROOT, 'test', 'webSocketTypes.fixture.ts');
/** The runtime globals the declarations may use beyond ES2022: `FetchLike`'s `AbortSignal`. */
const RUNTIME_GLOBALS = join(ROOT, 'test', 'webSocketTypes.globals.d.ts');
/** A bound for one program (each takes well under a second once its lib files are parsed). */
const TIMEOUT_MS = 60_000;

type TypeScript = typeof ts6;

/** Asserts that the option takes `Ctor`, and that `Ctor` was declared (not `any`, as a missing type would make it). */
const accepts = (Ctor: string, id = ''): string => `
createRunnerClient({ baseUrl: 'http://127.0.0.1:1', WebSocket: ${Ctor} });
export const option${id}: WebSocketConstructor = ${Ctor};
export const socket${id}: WebSocketLike = new ${Ctor}('ws://127.0.0.1:1');
export const declared${id}: 0 extends 1 & typeof ${Ctor} ? 'any' : 'declared' = 'declared';
`;
const IMPORTS = "import { createRunnerClient, type WebSocketConstructor, type WebSocketLike } from 'boxlite-rx';\n";

interface Flavour {
  readonly name: string;
  readonly lib: readonly string[];
  readonly types: readonly string[];
  readonly source: string;
}

const FLAVOURS: readonly Flavour[] = [
  { name: 'lib.dom', lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [], source: IMPORTS + accepts('globalThis.WebSocket') },
  {
    name: "ws's class",
    lib: ['lib.es2022.d.ts'],
    types: ['ws', 'node'],
    source: `${IMPORTS}import WebSocket, { WebSocket as Named } from 'ws';\n${accepts('WebSocket')}${accepts('Named', 'Named')}`,
  },
  {
    name: '@types/node 24 (undici)',
    lib: ['lib.es2022.d.ts'],
    types: ['node-24'],
    source: `${IMPORTS}export const major: string = process.versions.node;\n${accepts('globalThis.WebSocket')}`,
  },
  {
    name: 'Bun',
    lib: ['lib.es2022.d.ts'],
    types: ['bun'],
    source: `${IMPORTS}export const runtime: string = Bun.version;\n${accepts('globalThis.WebSocket')}`,
  },
  {
    // @types/deno holds the `Deno` namespace; Deno's web globals are lib.dom's.
    name: 'Deno',
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['deno'],
    source: `${IMPORTS}export const runtime: string = Deno.version.deno;\n${accepts('globalThis.WebSocket')}`,
  },
];

/** Not WebSockets: a class without `send`, and one whose `onmessage` takes no message event. */
const NOT_SOCKETS = `${IMPORTS}
class NoSend { binaryType = ''; readyState = 0; close(): void {} onopen = null; onmessage = null; onclose = null; onerror = null; }
class NumberMessages { binaryType = ''; readyState = 0; send(): void {} close(): void {} onopen = null; onmessage: ((event: number) => void) | null = null; onclose = null; onerror = null; }
createRunnerClient({ baseUrl: 'http://127.0.0.1:1', WebSocket: NoSend });
createRunnerClient({ baseUrl: 'http://127.0.0.1:1', WebSocket: NumberMessages });
`;

const MODES = {
  nodenext: { module: 'NodeNext', moduleResolution: 'NodeNext' },
  bundler: { module: 'ESNext', moduleResolution: 'Bundler' },
} as const;
type Mode = keyof typeof MODES;

/**
 * A compiler for one TypeScript version: one host whose parsed files (lib files, `dist/`, the
 * `@types` packages) are shared by every program it builds, the fixture's text served from memory.
 */
function compilerOf(ts: TypeScript) {
  const host = ts.createCompilerHost({});
  // As tsc does: JSDoc is parsed only where it can make a type error (lib.dom's is most of its text).
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  const parsed = new Map<string, ts6.SourceFile | undefined>();
  const read = host.readFile.bind(host);
  const exists = host.fileExists.bind(host);
  const parse = host.getSourceFile.bind(host);
  let fixture = '';
  const virtual = (file: string): string | undefined =>
    file === FIXTURE ? fixture : file === RUNTIME_GLOBALS ? 'interface AbortSignal {}\n' : undefined;
  host.readFile = (file) => virtual(file) ?? read(file);
  host.fileExists = (file) => virtual(file) !== undefined || exists(file);
  host.getSourceFile = (file, version, ...rest) => {
    const text = virtual(file);
    if (text !== undefined) return ts.createSourceFile(file, text, version);
    const key = `${file}|${JSON.stringify(typeof version === 'object' ? [version.languageVersion, version.impliedNodeFormat] : version)}`;
    if (!parsed.has(key)) parsed.set(key, parse(file, version, ...rest));
    return parsed.get(key);
  };

  const options = (mode: Mode, lib: readonly string[], types: readonly string[], skipLibCheck: boolean): ts6.CompilerOptions => {
    const { options: converted, errors } = ts.convertCompilerOptionsFromJson(
      { ...MODES[mode], target: 'ES2022', strict: true, noEmit: true, skipLibCheck },
      ROOT,
    );
    expect(errors).toEqual([]);
    return { ...converted, lib: [...lib], types: [...types] };
  };

  /** Each diagnostic as `file:line: message`, the line 1-based within its file. */
  const describeAll = (diagnostics: readonly ts6.Diagnostic[]): string[] =>
    diagnostics.map((diagnostic) => {
      const where = diagnostic.file === undefined
        ? ''
        : `${diagnostic.file.fileName.slice(ROOT.length)}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}: `;
      return where + ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    });

  return {
    version: ts.versionMajorMinor,
    /** The diagnostics of one fixture, compiled as its own program. */
    fixture(source: string, mode: Mode, lib: readonly string[], types: readonly string[]): string[] {
      fixture = source;
      const program = ts.createProgram({ rootNames: [FIXTURE], options: options(mode, lib, types, true), host });
      return describeAll(ts.getPreEmitDiagnostics(program));
    },
    /** The diagnostics within `dist/` of its entry's declarations, checked with ES2022 and no `@types`. */
    declarations(mode: Mode): string[] {
      const roots = [join(DIST, 'index.d.ts'), join(DIST, 'index.d.cts'), RUNTIME_GLOBALS];
      const program = ts.createProgram({ rootNames: roots, options: options(mode, ['lib.es2022.d.ts'], [], false), host });
      const own = program.getSourceFiles().filter((file) => file.fileName.startsWith(DIST));
      expect(own.length).toBeGreaterThanOrEqual(2);
      return describeAll([
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...own.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
      ]);
    },
  };
}

describe('the WebSocket option, typed against the built declarations', () => {
  it('the build exists', () => {
    expect(existsSync(join(DIST, 'index.d.ts')), "dist/ is missing: run 'npm run build' first (npm test does)").toBe(true);
  });

  // 5.9's API has the calls made here; its enums differ from 6.0's (6.0 dropped `ScriptTarget.ES3`).
  describe.each([compilerOf(ts6), compilerOf(ts59 as unknown as TypeScript)])('TypeScript $version', (compiler) => {
    describe.each(Object.keys(MODES) as Mode[])('%s', (mode) => {
      it.each(FLAVOURS)('takes the WebSocket of $name without a cast', ({ lib, types, source }) => {
        expect(compiler.fixture(source, mode, lib, types)).toEqual([]);
      }, TIMEOUT_MS);

      it('refuses a class without send, and one whose onmessage takes no message event', () => {
        const refused = compiler.fixture(NOT_SOCKETS, mode, ['lib.es2022.d.ts'], []);
        expect(refused).toHaveLength(2);
        expect(refused[0]).toMatch(/^test\/webSocketTypes\.fixture\.ts:5: [^]*Property 'send' is missing in type 'NoSend'/);
        expect(refused[1]).toMatch(/^test\/webSocketTypes\.fixture\.ts:6: [^]*'onmessage' are incompatible/);
      }, TIMEOUT_MS);

      it('the declarations of the main entry need no DOM and no @types', () => {
        expect(compiler.declarations(mode)).toEqual([]);
      }, TIMEOUT_MS);
    });
  });
});
