import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { startRunnerEmulator, type RunnerEmulator, type RunnerEmulatorOptions } from '../../src/testing/index.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

/**
 * Runs the built CLI with no BOXLITE_* variables from the outer environment, feeding `stdin` and
 * then closing it. Bounded: the child is killed after `timeoutMs`.
 */
export function runCli(args: readonly string[], options: { stdin?: Buffer | string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first (npm test does)`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BOXLITE_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** A running CLI child: its process, the bytes it wrote so far, and its exit status to come. */
export interface CliChild {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: () => Buffer;
  readonly stderr: () => Buffer;
  readonly exited: Promise<number | null>;
}

/** Where one of the CLI's output streams goes: a pipe the test reads, a socket, or an open descriptor. */
type Sink = 'pipe' | Socket | number;

/** The built CLI started with no BOXLITE_* variables from the outer environment; killed after `timeoutMs`. */
function started(args: readonly string[], stdout: Sink, timeoutMs: number, stderrTo: Sink = 'pipe') {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first (npm test does)`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BOXLITE_')));
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', stdout, stderrTo] });
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  return { child, stderr: () => Buffer.concat(stderr), exited };
}

/**
 * Starts the built CLI for tests that signal it or close its stdout. Bounded: the child is killed
 * after `timeoutMs`.
 */
export function spawnCli(args: readonly string[], timeoutMs = 15_000): CliChild {
  const { child, stderr, exited } = started(args, 'pipe', timeoutMs);
  const stdout: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  return { child: child as ChildProcessWithoutNullStreams, stdout: () => Buffer.concat(stdout), stderr, exited };
}

/** Starts the built CLI with `socket` as its stdout (the test reads and closes the other end). */
export function spawnCliToSocket(args: readonly string[], socket: Socket, timeoutMs = 15_000): Omit<CliChild, 'child' | 'stdout'> {
  const { stderr, exited } = started(args, socket, timeoutMs);
  return { stderr, exited };
}

/**
 * Starts the built CLI with open descriptors as its stdout and, when given, its stderr (say
 * `/dev/full`, where every write fails); `stderr()` is empty when stderr is a descriptor.
 */
export function spawnCliToFds(args: readonly string[], fds: { stdout: number; stderr?: number }, timeoutMs = 15_000): Omit<CliChild, 'child' | 'stdout'> {
  const { stderr, exited } = started(args, fds.stdout, timeoutMs, fds.stderr ?? 'pipe');
  return { stderr, exited };
}

/**
 * Registers an `afterEach` that closes the emulator a test started, and returns the starter.
 * Call once at the top of a test file.
 */
export function emulatorPerTest(): (options: RunnerEmulatorOptions) => Promise<RunnerEmulator> {
  let emulator: RunnerEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  return async (options) => {
    emulator = await startRunnerEmulator(options);
    return emulator;
  };
}

/** `--url` and `--token` for an emulator. */
export const connect = (em: RunnerEmulator): string[] => ['--url', em.url, '--token', em.token];
