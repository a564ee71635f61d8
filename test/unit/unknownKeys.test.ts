/**
 * The public functions that take a config object reject a key it does not name, with a
 * `TypeError` naming the key, when they are called: `attach`,
 * `probe`, `skipReplayed` and the `input` of `exec`/`follow`/`attach`/`reattach` (an `Outbox`).
 * Each accepts every key its interface documents (the tables below are held to the interfaces by
 * the compiler). `createRunnerClient` and `drainOnTerminal` have their own tests.
 */
import { NEVER } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ReplayCursor } from '../../src/delivery/replayCursor.js';
import { attach, type AttachConfig } from '../../src/observables/attach.js';
import { probe, type ProbeConfig } from '../../src/observables/probe.js';
import { skipReplayed, type SkipReplayedConfig } from '../../src/operators/skipReplayed.js';
import { EarlySocket } from '../../src/transport/earlySocket.js';
import type { HttpTransport } from '../../src/transport/http.js';
import { Outbox, type AttachInput } from '../../src/transport/outbox.js';
import { FakeNodeSocket, asConstructor } from '../support/fakeSockets.js';

function thrown(call: () => unknown): Error {
  try {
    call();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call did not throw');
}

const http: HttpTransport = { fetch: () => Promise.reject(new Error('unused')), token: 't' };

const attachConfig = {
  url: 'ws://runner.test/attach',
  WebSocket: asConstructor(FakeNodeSocket),
  token: 't',
  sendAuthHeader: true,
  outbox: new Outbox({}),
  idleTimeout: false,
  connectTimeout: 1_000,
  maxPayload: 1_024,
  early: new EarlySocket(() => ({ isOpen: () => false, send: () => undefined, dispose: () => undefined }), 't'),
  opened: () => undefined,
} satisfies Required<AttachConfig>;
const probeConfig = { http, url: 'http://runner.test/v1/boxes/b/executions/e', timeout: 1_000 } satisfies Required<ProbeConfig>;
const skipConfig = { drain: true, keepLossMarkers: true, fresh: true } satisfies Required<SkipReplayedConfig>;
const input = { stdin: NEVER, resize: NEVER, signal: NEVER } satisfies Required<AttachInput>;

describe('every documented key is accepted', () => {
  it('attach, probe, skipReplayed, an Outbox input', () => {
    expect(() => attach(attachConfig)).not.toThrow();
    expect(() => probe(probeConfig)).not.toThrow();
    expect(() => skipReplayed(new ReplayCursor(16, 'ring'), skipConfig)).not.toThrow();
    expect(() => new Outbox(input)).not.toThrow();
  });
});

describe('an unknown key is a TypeError naming it, thrown by the call', () => {
  it.each([
    ['attach, a misspelled key', () => attach({ ...attachConfig, idleTimout: 45_000 } as AttachConfig), 'attach: unknown option idleTimout'],
    ['attach, a key it does not have', () => attach({ ...attachConfig, headers: {} } as AttachConfig), 'attach: unknown option headers'],
    ['probe', () => probe({ ...probeConfig, timeoutMs: 5 } as ProbeConfig), 'probe: unknown option timeoutMs'],
    ['skipReplayed', () => skipReplayed(new ReplayCursor(16, 'ring'), { drained: true } as SkipReplayedConfig), 'skipReplayed: unknown option drained'],
    ['an input with a misspelled stdin', () => new Outbox({ stdn: NEVER } as AttachInput), 'input: unknown option stdn'],
    ['an input with a misspelled signal', () => new Outbox({ stdin: NEVER, signals: NEVER } as AttachInput), 'input: unknown option signals'],
  ])('%s', (_name, call, message) => {
    const error = thrown(call);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(message);
  });
});
