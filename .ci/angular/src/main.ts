/**
 * examples/angular's terminal as a browser app: the lane copies the example's files into
 * src/example/ and builds this with the Angular CLI. In a browser the token stays behind the
 * same-origin gateway (docs/browser.md), so the client goes there with `webSocketAuth: 'none'`.
 */
import { provideHttpClient, withFetch } from '@angular/common/http';
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideBoxliteClient } from 'boxlite-rx/angular';
import { TerminalComponent } from './example/terminal.component';

bootstrapApplication(TerminalComponent, {
  providers: [
    provideZonelessChangeDetection(),
    provideHttpClient(withFetch()),
    provideBoxliteClient({ baseUrl: location.origin, webSocketAuth: 'none' }),
  ],
}).catch((error: unknown) => console.error(error));
