/**
 * The application's providers: zoneless, `HttpClient` with the auth interceptor, and the BoxLite
 * client. In a browser behind the same-origin gateway of docs/browser.md, use
 * `provideBoxliteClient({ baseUrl: location.origin, webSocketAuth: 'none' })` instead: the session
 * cookie authenticates the upgrade there.
 */
import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { inject, provideZonelessChangeDetection, type ApplicationConfig } from '@angular/core';
import { provideBoxliteClient } from 'boxlite-rx/angular';
import { AuthService, authInterceptor } from './auth.js';

/** `bootstrapApplication(TerminalComponent, appConfig('https://runner.example'))`. */
export function appConfig(runnerUrl: string): ApplicationConfig {
  return {
    providers: [
      provideZonelessChangeDetection(),
      provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
      provideBoxliteClient(() => {
        const auth = inject(AuthService);
        // REST calls get the token from the interceptor; the attach upgrade, which HttpClient
        // cannot send, asks this provider, once per socket. Both read the same session.
        return { baseUrl: runnerUrl, token: () => auth.token() };
      }),
    ],
  };
}
