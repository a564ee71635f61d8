import { DestroyRef, Injector, assertInInjectionContext, assertNotInReactiveContext, inject, signal, type Signal } from '@angular/core';
import { decodeUtf8, type DecodedEvent, type ExecEvent } from 'boxlite-rx';
import { finalize, type Observable } from 'rxjs';
import { appendableText } from './appendableText.js';

/**
 * Where a command stands, as `toExecSignals` sees it:
 * - `starting`: subscribed, nothing heard yet (the `POST /exec` is out);
 * - `running`: started, or output arrived;
 * - `reconnecting`: the connection was lost while the process may run; output resumes after it;
 * - `exited`: the exit event arrived (`exitCode` is set);
 * - `failed`: the stream errored (`error` is set);
 * - `stopped`: it ended without an exit: `stop()`, the scope destroyed, or a source that completed.
 */
export type ExecStatus = 'starting' | 'running' | 'reconnecting' | 'exited' | 'failed' | 'stopped';

/** One command's state as signals, for a template. */
export interface ExecSignals {
  /** Known from the `started` event on (`exec`); `undefined` for a `follow` or `attach`. */
  readonly executionId: Signal<string | undefined>;
  /** Stdout decoded as UTF-8, a character split across frames kept whole. */
  readonly stdout: Signal<string>;
  /** Stderr decoded as UTF-8. */
  readonly stderr: Signal<string>;
  readonly status: Signal<ExecStatus>;
  /** Known once the command exited. */
  readonly exitCode: Signal<number | undefined>;
  /** The client's typed error (`isExecutionGoneError`, `isBoxliteHttpError`, …) once `status` is `failed`. */
  readonly error: Signal<unknown>;
  /** Stops following now (closes the socket, aborts a request): the process keeps running. */
  stop(): void;
}

/** Options of `toExecSignals`. */
export interface ExecSignalsOptions {
  /** Whose `DestroyRef` ends the stream; needed outside an injection context (an event handler). */
  readonly injector?: Injector;
}

const ENDED: ReadonlySet<ExecStatus> = new Set(['exited', 'failed', 'stopped']);

/** The status after `event`: output means connected again; notices move only between running and reconnecting. */
function statusAfter(status: ExecStatus, event: DecodedEvent): ExecStatus {
  if (event.type === 'exit') return 'exited';
  if (event.type !== 'notice') return 'running';
  if (event.kind === 'reconnecting') return 'reconnecting';
  if (event.kind === 'reconnected') return 'running';
  return status;
}

/**
 * Follows an event stream (`client.exec`, `follow`, `attach`) into signals, until the scope is
 * destroyed: Angular's `toSignal` for a command.
 *
 * ```
 * source:   --s----"he"---"llo"--------x|
 * status:   starting  running          exited
 * stdout:   ''  ''   'he'   'hello'
 * exitCode: undefined                  0
 * ```
 *
 * Subscribes at once. Output is decoded per stream (`decodeUtf8`) and appended in amortised
 * constant time: reading `stdout()` joins only what came since the last read. An error does not
 * throw from a signal (unlike `toSignal`): it lands in `error`, and `status` turns `failed`. When
 * the `DestroyRef` of the injection context (or of `options.injector`) is destroyed, or on `stop()`,
 * the subscription ends: the socket closes and requests are aborted, but the process keeps running
 * on the server (call the client's `kill` for that). A stream that ended releases its `DestroyRef`
 * callback, so a long-lived scope does not collect them.
 *
 * @example
 * ```ts
 * @Component({ template: `<pre>{{ run.stdout() }}</pre> @if (run.status() === 'exited') { exit {{ run.exitCode() }} }` })
 * class Terminal {
 *   readonly run = toExecSignals(injectBoxliteClient().exec('box-1', { command: 'ls', args: ['-la'] }));
 * }
 * ```
 * @see injectBoxliteClient
 */
export function toExecSignals(source: Observable<ExecEvent>, options: ExecSignalsOptions = {}): ExecSignals {
  assertNotInReactiveContext(toExecSignals);
  if (options.injector === undefined) assertInInjectionContext(toExecSignals);
  const destroyRef = (options.injector ?? inject(Injector)).get(DestroyRef);

  const executionId = signal<string | undefined>(undefined);
  const output = { stdout: appendableText(), stderr: appendableText() };
  const status = signal<ExecStatus>('starting');
  const exitCode = signal<number | undefined>(undefined);
  const error = signal<unknown>(undefined);

  const stopUnlessEnded = (): void => {
    if (!ENDED.has(status())) status.set('stopped');
  };
  const stop = (): void => {
    subscription.unsubscribe();
    stopUnlessEnded();
  };
  const releaseDestroyRef = destroyRef.onDestroy(stop);
  const subscription = source.pipe(decodeUtf8(), finalize(releaseDestroyRef)).subscribe({
    next(event) {
      status.set(statusAfter(status(), event));
      if (event.type === 'started') executionId.set(event.executionId);
      else if (event.type === 'stdout' || event.type === 'stderr') output[event.type].append(event.text);
      else if (event.type === 'exit') exitCode.set(event.exitCode);
    },
    error(cause: unknown) {
      error.set(cause);
      status.set('failed');
    },
    complete: stopUnlessEnded,
  });

  return {
    executionId: executionId.asReadonly(),
    stdout: output.stdout.text,
    stderr: output.stderr.text,
    status: status.asReadonly(),
    exitCode: exitCode.asReadonly(),
    error: error.asReadonly(),
    stop,
  };
}
