/**
 * One command's output and end, from the signals of `toExecSignals`: stdout, stderr, then its
 * exit code, its error, or that it is reconnecting. The terminal and the viewer both show a
 * command with it.
 */
import { Component, input } from '@angular/core';
import type { ExecSignals } from 'boxlite-rx/angular';

@Component({
  selector: 'app-exec-view',
  template: `
    <pre>{{ run().stdout() }}</pre>
    <pre class="stderr">{{ run().stderr() }}</pre>
    @switch (run().status()) {
      @case ('exited') { <p>exit {{ run().exitCode() }}</p> }
      @case ('failed') { <p role="alert">{{ run().error() }}</p> }
      @case ('reconnecting') { <p>reconnecting…</p> }
    }
  `,
})
export class ExecViewComponent {
  /** The command shown. */
  readonly run = input.required<ExecSignals>();
}
