/**
 * Option checking of `boxlite-rx/testing`, one way for all three servers (`checkOptions.ts`): an
 * unknown key, nested ones included, is a `TypeError` naming it; every message reads
 * `owner: name must be …, got …`.
 */
import { describe, expect, it } from 'vitest';
import {
  startCuttingProxy,
  startGateway,
  startRunnerEmulator,
  type CuttingProxyOptions,
  type EmulatorOptions,
  type GatewayOptions,
  type RunnerEmulatorOptions,
} from '../../src/testing/index.js';
import { emulator } from '../support/emulator.js';

/** What `start` rejected with: its class and its message. */
async function rejection(start: () => Promise<unknown>): Promise<{ type: string; message: string }> {
  const error = await start().then(
    () => new Error('expected a rejection'),
    (caught: unknown) => caught as Error,
  );
  return { type: error.constructor.name, message: error.message };
}

describe('startRunnerEmulator', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['an unknown key (the CLI flag spelled as an option)', { allowExec: true }, 'TypeError', 'startRunnerEmulator: unknown option allowExec'],
    ['a misspelled key', { ringByte: 8 }, 'TypeError', 'startRunnerEmulator: unknown option ringByte'],
    ['an unknown nested key', { orphanGrace: { hupMS: 1 } }, 'TypeError', 'startRunnerEmulator: unknown option orphanGrace.hupMS'],
    ['a nested object that is not one', { orphanGrace: 5 }, 'TypeError', 'startRunnerEmulator: orphanGrace must be an object'],
    ['options that are not an object', [] as unknown as Record<string, unknown>, 'TypeError', 'startRunnerEmulator: options must be an object'],
    ['a byte count', { ringBytes: 0 }, 'RangeError', 'startRunnerEmulator: ringBytes must be a positive integer number of bytes, got 0'],
    ['a port', { port: 70_000 }, 'RangeError', 'startRunnerEmulator: port must be an integer from 0 to 65535, got 70000'],
    ['a delay', { pingIntervalMs: -1 }, 'RangeError', 'startRunnerEmulator: pingIntervalMs must be a positive number of milliseconds up to 2147483647, got -1'],
    ['a delay past a timer', { retentionMs: 2 ** 31 }, 'RangeError', 'startRunnerEmulator: retentionMs must be a number of milliseconds >= 0 up to 2147483647, got 2147483648'],
    ['a nested delay', { orphanGrace: { termMs: -5 } }, 'RangeError', 'startRunnerEmulator: orphanGrace.termMs must be a number of milliseconds >= 0 up to 2147483647, got -5'],
    ['a boolean', { allowProcesses: 'yes' }, 'TypeError', 'startRunnerEmulator: allowProcesses must be a boolean, got yes'],
    ['a function', { faults: {} }, 'TypeError', 'startRunnerEmulator: faults must be a function'],
    ['an error shape', { errorShape: 'html' }, 'TypeError', "startRunnerEmulator: errorShape must be 'runner', 'auth', 'serve' or 'proxy', got html"],
    ['a non-loopback host', { host: '0.0.0.0' }, 'RangeError', 'startRunnerEmulator: host must be a loopback address unless allowNonLoopback is true, got 0.0.0.0'],
  ])('%s', async (_, options, type, message) => {
    expect(await rejection(() => startRunnerEmulator(options as EmulatorOptions))).toEqual({ type, message });
  });

  it('accepts every known key, a partial orphanGrace and the deprecated options type', async () => {
    const options: RunnerEmulatorOptions = {
      host: '127.0.0.1', allowNonLoopback: false, port: 0, token: 'tok', pathPrefix: 'a/b', boxes: ['box'], server: 'runner',
      replay: 'ring', ringBytes: 8, subscriberQueueChunks: 4, pingIntervalMs: 1_000, idleTimeoutMs: 3_000, retentionMs: 0,
      orphanGrace: { hupMs: 10 }, slotHoldAfterExitMs: 0, allowProcesses: false, errorShape: 'proxy', scripts: {},
      faults: () => undefined, generateExecutionId: () => 'id',
    };
    const em = await emulator(options);
    expect(em.pathPrefix).toBe('a/b');
  });
});

describe('startCuttingProxy', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['an unknown key', { target: 'http://127.0.0.1:1', cutFirst: true }, 'TypeError', 'startCuttingProxy: unknown option cutFirst'],
    ['a misspelled key', { target: 'http://127.0.0.1:1', refused: () => 502 }, 'TypeError', 'startCuttingProxy: unknown option refused'],
    ['a target that is no URL', { target: 'nowhere' }, 'TypeError', 'startCuttingProxy: target must be an http URL on a loopback host, got nowhere'],
    ['a port', { target: 'http://127.0.0.1:1', port: -1 }, 'RangeError', 'startCuttingProxy: port must be an integer from 0 to 65535, got -1'],
    ['a decision that is no function', { target: 'http://127.0.0.1:1', cut: true }, 'TypeError', 'startCuttingProxy: cut must be a function'],
  ])('%s', async (_, options, type, message) => {
    expect(await rejection(() => startCuttingProxy(options as unknown as CuttingProxyOptions))).toEqual({ type, message });
  });
});

describe('startGateway', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['an unknown key', { upstream: 'http://127.0.0.1:1', token: 't', page: {} }, 'TypeError', 'startGateway: unknown option page'],
    ['an upstream that is no URL', { upstream: 'nowhere', token: 't' }, 'TypeError', 'startGateway: upstream must be an http:// URL, got nowhere'],
    ['a port', { upstream: 'http://127.0.0.1:1', token: 't', port: 1.5 }, 'RangeError', 'startGateway: port must be an integer from 0 to 65535, got 1.5'],
  ])('%s', async (_, options, type, message) => {
    expect(await rejection(() => startGateway(options as unknown as GatewayOptions))).toEqual({ type, message });
  });
});
