/**
 * `boxlite-rx/angular`: the client in Angular's dependency injection, REST calls through
 * `HttpClient`, and a command's state as signals. See docs/angular.md.
 */
export { provideBoxliteClient, injectBoxliteClient, type BoxliteClientOptions } from './provideBoxliteClient.js';
export { httpClientFetch, BOXLITE_REQUEST } from './httpClientFetch.js';
export { toExecSignals, type ExecSignals, type ExecSignalsOptions, type ExecStatus } from './toExecSignals.js';
