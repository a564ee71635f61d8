import { HttpClient } from '@angular/common/http';
import { InjectionToken, assertInInjectionContext, inject, makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { createRunnerClient, type RunnerClient, type RunnerClientOptions } from 'boxlite-rx';
import { httpClientFetch } from './httpClientFetch.js';

/** Options of `provideBoxliteClient`: the client's, but REST calls always go through `HttpClient`. */
export type BoxliteClientOptions = Omit<RunnerClientOptions, 'fetch'>;

/** The client of the nearest `provideBoxliteClient`; read it with `injectBoxliteClient()`. */
const BOXLITE_CLIENT = new InjectionToken<RunnerClient>('boxlite-rx RunnerClient');

/**
 * Provides a BoxLite client whose REST calls go through the app's `HttpClient`, so its
 * interceptors (auth, logging, retries) and `HttpTestingController` apply to every one of them.
 * Needs `provideHttpClient()` in the same or a parent injector.
 *
 * The options may be a function, run in an injection context when the client is first injected:
 * it can `inject()` what it needs, such as the service the auth interceptor reads its token from.
 * That is how such a token reaches the attach: the WebSocket upgrade cannot go through
 * `HttpClient`, so it authenticates with `token` (`webSocketAuth: 'header'`), or, in a browser,
 * through a same-origin gateway (`webSocketAuth: 'none'`, docs/browser.md). `token` is sent on REST
 * calls too; an interceptor that sets `Authorization` replaces it there.
 *
 * Options are checked when the client is created, with a `TypeError`/`RangeError` naming the option.
 *
 * @example
 * ```ts
 * bootstrapApplication(App, {
 *   providers: [
 *     provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
 *     provideBoxliteClient(() => {
 *       const auth = inject(AuthService);
 *       return { baseUrl: 'https://runner.example', token: () => auth.token() };
 *     }),
 *   ],
 * });
 * ```
 * @see injectBoxliteClient, toExecSignals
 */
export function provideBoxliteClient(options: BoxliteClientOptions | (() => BoxliteClientOptions)): EnvironmentProviders {
  return makeEnvironmentProviders([
    {
      provide: BOXLITE_CLIENT,
      useFactory: (): RunnerClient => {
        const resolved = typeof options === 'function' ? options() : options;
        return createRunnerClient({ ...resolved, fetch: httpClientFetch(inject(HttpClient)) });
      },
    },
  ]);
}

/**
 * The client of the nearest `provideBoxliteClient`, from an injection context (a constructor, a
 * field initializer, a provider factory). Throws an `Error` naming `provideBoxliteClient` when
 * none is provided.
 *
 * @example
 * ```ts
 * export class Terminal {
 *   private readonly client = injectBoxliteClient();
 *   kill(id: string) { this.client.kill('box-1', id).subscribe(); }
 * }
 * ```
 * @see toExecSignals
 */
export function injectBoxliteClient(): RunnerClient {
  assertInInjectionContext(injectBoxliteClient);
  const client = inject(BOXLITE_CLIENT, { optional: true });
  if (client === null) throw new Error('injectBoxliteClient: no BoxLite client here; add provideBoxliteClient(…) to the providers');
  return client;
}
