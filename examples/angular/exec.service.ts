/**
 * An Angular service around the boxlite-rx client: runs commands as state for `toSignal` or the
 * `async` pipe, and closes every socket when the injector that provides it is destroyed.
 * See docs/angular.md.
 */
import { DestroyRef, Injectable, InjectionToken, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { scan, startWith, type Observable } from 'rxjs';
// In an application: `from 'boxlite-rx'`.
import {
  createRunnerClient,
  decodeUtf8,
  type DecodedEvent,
  type ExecRequest,
  type FetchLike,
  type RunnerClientOptions,
} from '../../src/index.js';

/** Client options. In a browser: `{ baseUrl: location.origin, webSocketAuth: 'none' }` behind a gateway. */
export const BOXLITE_CLIENT_OPTIONS = new InjectionToken<Omit<RunnerClientOptions, 'fetch'>>('BOXLITE_CLIENT_OPTIONS');

/**
 * The fetch that `POST /exec` and every status probe go through (default: the platform's own).
 * Provide another to add headers, log, or observe the probes in a test.
 */
export const BOXLITE_FETCH = new InjectionToken<FetchLike>('BOXLITE_FETCH', {
  providedIn: 'root',
  factory: () => (url, init) => fetch(url, init),
});

/** What a template shows of one command. */
export interface ExecState {
  /** Known once the runner accepted the command. */
  readonly executionId: string | undefined;
  /** Stdout and stderr as text, in the order they arrived. */
  readonly output: string;
  /** Known once the command ended. */
  readonly exitCode: number | undefined;
}

const INITIAL: ExecState = { executionId: undefined, output: '', exitCode: undefined };

function reduce(state: ExecState, event: DecodedEvent): ExecState {
  switch (event.type) {
    case 'started':
      return { ...state, executionId: event.executionId };
    case 'stdout':
    case 'stderr':
      return { ...state, output: state.output + event.text };
    case 'exit':
      return { ...state, exitCode: event.exitCode };
    default:
      return state;
  }
}

/**
 * Runs BoxLite commands for one Angular scope. Provide it where the commands should stop: in a
 * component's `providers` (they stop when the component is destroyed) or a route's.
 *
 * @example
 * ```ts
 * @Component({ providers: [ExecService], template: `<pre>{{ run().output }}</pre>` })
 * class TerminalComponent {
 *   readonly run = toSignal(inject(ExecService).run('box-1', { command: 'ls' }), { requireSync: true });
 * }
 * ```
 */
@Injectable()
export class ExecService {
  private readonly client = createRunnerClient({ ...inject(BOXLITE_CLIENT_OPTIONS), fetch: inject(BOXLITE_FETCH) });
  private readonly destroyRef = inject(DestroyRef);

  /**
   * Runs `request` in `boxId` with the client's full recovery. Emits the initial state at once (so
   * `toSignal(…, { requireSync: true })` works), then a new state per event. Cold: each
   * subscription runs the command once. Ends after the exit; on its own when the providing
   * injector is destroyed, closing the socket (the process keeps running). Errors are the
   * client's typed errors: handle them with `catchError` before `toSignal`, which rethrows them.
   */
  run(boxId: string, request: ExecRequest): Observable<ExecState> {
    return this.client.exec(boxId, request).pipe(
      decodeUtf8(),
      scan(reduce, INITIAL),
      startWith(INITIAL),
      takeUntilDestroyed(this.destroyRef),
    );
  }
}
