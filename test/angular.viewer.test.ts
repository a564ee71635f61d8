// @module-tag slow/sockets
/**
 * examples/angular's ViewerComponent (`toExecSignals(client.observe(…))`) with the real
 * @angular/core (JIT, zoneless TestBed) against the emulator's runner preset: beside a writer that
 * types into the command, the view shows every byte once, in order, as each line arrives, then
 * the exit; the server saw only read-only sockets from it, and no write on them.
 */
import '@angular/compiler';
import { TestBed } from '@angular/core/testing';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { WebSocket } from 'ws';
import { describe, expect, it, vi } from 'vitest';
import { appConfig } from '../examples/angular/app.config.js';
import { AuthService } from '../examples/angular/auth.js';
import { ViewerComponent } from '../examples/angular/viewer.component.js';
import { createRunnerClient } from '../src/index.js';
import { useAngularTestBed } from './support/angularTestBed.js';
import { emulator, startExecution } from './support/emulator.js';

useAngularTestBed();

const WAIT = { timeout: 5_000, interval: 5 } as const;
const LINES = [
  '2026-12-06T22:00:00Z INFO request id=1f2e path=/api/v1/items/7 status=200 service=catalog-api region=eu-west-1\n',
  '2026-12-06T22:00:01Z INFO request id=9a0b path=/api/v1/items/7 status=200 service=catalog-api region=eu-west-1\n',
  'étape 2 ✓ — terminé\n',
];

describe('examples/angular ViewerComponent', () => {
  it('watches an execution a writer drives: each line as it arrives, exact, then exit 5; nothing written by the view', async () => {
    const em = await emulator({
      scripts: { agent: { steps: [{ stdout: 'agent ready\n' }, { echoStdin: true }, { stderr: 'done\n' }, { exit: 5 }] } },
    });
    const id = await startExecution(em, { command: 'agent' }, 'box-1');
    const writerInput = new Subject<Uint8Array>();
    const writer = createRunnerClient({ baseUrl: em.url, token: em.token, WebSocket });
    const written = lastValueFrom(writer.follow('box-1', id, { stdin: writerInput }).pipe(toArray()));

    TestBed.configureTestingModule({ providers: appConfig(em.url).providers });
    TestBed.inject(AuthService).signIn(em.token);
    const viewer = TestBed.runInInjectionContext(() => new ViewerComponent());
    viewer.watch('box-1', id);
    await vi.waitFor(() => expect(viewer.view()?.stdout()).toBe('agent ready\n'), WAIT);
    let expected = 'agent ready\n';
    for (const line of LINES) {
      writerInput.next(new TextEncoder().encode(line));
      expected += line;
      await vi.waitFor(() => expect(viewer.view()?.stdout()).toBe(expected), WAIT);
    }
    writerInput.complete();
    await vi.waitFor(() => expect(viewer.view()?.status()).toBe('exited'), WAIT);
    const view = viewer.view();
    expect([view?.stdout(), view?.stderr(), view?.exitCode(), view?.error()]).toEqual([expected, 'done\n', 5, undefined]);
    expect((await written).at(-1)).toMatchObject({ type: 'exit', exitCode: 5 });
    expect(em.stats.readOnlyAttaches).toBeGreaterThanOrEqual(1);
    expect(em.stats).toMatchObject({ readOnlyStdinFrames: 0, readOnlyStdinEofs: 0, readOnlyResizes: 0, readOnlySignals: 0 });
    expect(em.execution(id)?.stdinBytes).toBe(Buffer.byteLength(LINES.join('')));
  });
});
