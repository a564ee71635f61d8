// @module-tag slow/sockets
/**
 * The start gate (docs/delivery.md, "Start gate") on real sockets: the first attach of every
 * execution is cut right after its 101 by a cutting proxy (the demo's fault), so the gate line
 * it carried is lost. The client re-sends the line on its next socket until a byte or the exit is
 * seen: no run hangs, the command's stdin is byte-exact (no gate line reaches it), exit codes are
 * exact, and the command's output is whole from its first byte.
 */

import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Script } from '../../src/testing/index.js';
import { clientFor, emulator, finish, proxy } from './support.js';

const RUNS = 200;
const PARALLEL = 10;

/** A head written at start, stdin echoed, a tail on stderr, then the run's own exit code. */
const echo = (exit: number): Script => ({
  steps: [{ stdout: `start ${exit}\n` }, { echoStdin: true }, { stderr: `done ${exit}\n` }, { exit }],
});

/** Stdin with newlines, a line that looks like a nonce, UTF-8 and binary bytes. */
const stdinOf = (run: number): Buffer =>
  Buffer.concat([Buffer.from(`line ${run}\ng${run.toString(36)}\nüñí ✓\n`), Buffer.from([0, 255, 10, 13, run % 256])]);

describe('start gate, first attach cut right after its 101', () => {
  it(`${RUNS} runs: 0 hangs, stdin byte-exact, exit codes exact`, async () => {
    const em = await emulator({ scripts: { echo: (request) => echo(Number(request.args?.[0])) } });
    const cutting = await proxy({ target: em.url });
    const client = clientFor(em, { baseUrl: cutting.url, startGate: true });
    const commands: string[] = [];
    const seen = em.events.subscribe((event) => {
      if (event.type === 'exec') commands.push(event.command);
    });
    const run = async (index: number): Promise<void> => {
      const exit = index % 256;
      const stdin = new Subject<Uint8Array>();
      const input = stdinOf(index);
      const finished = finish(client.exec('box', { command: 'echo', args: [String(exit)] }, { stdin }), 8_000);
      stdin.next(input);
      stdin.complete();
      const result = await finished;
      expect(result.stdoutBytes).toEqual(Buffer.concat([Buffer.from(`start ${exit}\n`), input]));
      expect(result.stderr).toBe(`done ${exit}\n`);
      expect(result.exit).toEqual({ type: 'exit', exitCode: exit, source: 'frame' });
      expect(result.notices).toEqual([]);
    };
    for (let batch = 0; batch < RUNS; batch += PARALLEL) {
      await Promise.all(Array.from({ length: PARALLEL }, (_, offset) => run(batch + offset)));
    }
    expect(em.stats.executions).toBe(RUNS);
    // The emulator lists, scripts and reports the unwrapped command.
    expect(commands).toEqual(Array.from({ length: RUNS }, () => 'echo'));
    seen.unsubscribe();
  }, 60_000);
});
