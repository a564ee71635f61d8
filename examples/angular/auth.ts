/**
 * The app's own auth, as an Angular app usually has it: a service holding the session token and a
 * functional interceptor adding it to requests. BoxLite's REST calls pass through that
 * interceptor; the attach socket cannot, so app.config.ts gives the client the same token source.
 */
import { Injectable, inject, signal } from '@angular/core';
import type { HttpInterceptorFn } from '@angular/common/http';
import { BOXLITE_REQUEST } from 'boxlite-rx/angular';

/** Holds the session token once the user signed in. */
@Injectable({ providedIn: 'root' })
export class AuthService {
  private readonly session = signal<string | undefined>(undefined);

  signIn(token: string): void {
    this.session.set(token);
  }

  /** The current token; throws before sign-in (the client reports it as a `TokenProviderError`). */
  token(): string {
    const token = this.session();
    if (token === undefined) throw new Error('not signed in');
    return token;
  }
}

/** Adds `Authorization: Bearer` to BoxLite's REST calls, and leaves every other request alone. */
export const authInterceptor: HttpInterceptorFn = (req, next) =>
  req.context.get(BOXLITE_REQUEST) ? next(req.clone({ setHeaders: { authorization: `Bearer ${inject(AuthService).token()}` } })) : next(req);
