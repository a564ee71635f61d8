/**
 * A read-only view of a command someone else drives (an agent, a colleague's terminal):
 * `client.observe` through `toExecSignals`. It never types into the command, resizes or signals
 * it. Watching another command, or leaving the page, closes the previous socket; the command
 * runs on.
 */
import { Component, Injector, inject, signal } from '@angular/core';
import { injectBoxliteClient, toExecSignals, type ExecSignals } from 'boxlite-rx/angular';
import { ExecViewComponent } from './execView.component.js';

@Component({
  imports: [ExecViewComponent],
  selector: 'app-viewer',
  template: `
    @if (view(); as shown) {
      <app-exec-view [run]="shown" />
    }
  `,
})
export class ViewerComponent {
  private readonly client = injectBoxliteClient();
  private readonly injector = inject(Injector);
  /** The command watched, if any. */
  readonly view = signal<ExecSignals | undefined>(undefined);

  /** Stops watching the previous command and watches `executionId` in `boxId` (without one: the box's main session). */
  watch(boxId: string, executionId?: string): void {
    this.view()?.stop();
    this.view.set(toExecSignals(this.client.observe(boxId, executionId), { injector: this.injector }));
  }
}
