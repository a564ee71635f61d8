/**
 * A terminal for one command at a time: output, status and errors straight from the signals of
 * `toExecSignals`. Starting another command, or leaving the page, closes the previous socket.
 */
import { Component, Injector, computed, inject, signal } from '@angular/core';
import { injectBoxliteClient, toExecSignals, type ExecSignals } from 'boxlite-rx/angular';
import { ExecViewComponent } from './execView.component.js';

@Component({
  imports: [ExecViewComponent],
  selector: 'app-terminal',
  template: `
    <button type="button" (click)="start('box-1', 'ls', ['-la'])" [disabled]="busy()">ls -la</button>
    <button type="button" (click)="kill()" [disabled]="!busy()">kill</button>
    @if (run(); as shown) {
      <app-exec-view [run]="shown" />
    }
  `,
})
export class TerminalComponent {
  private readonly client = injectBoxliteClient();
  private readonly injector = inject(Injector);
  private boxId = '';
  /** The command shown, if one was started. */
  readonly run = signal<ExecSignals | undefined>(undefined);
  readonly busy = computed(() => {
    const status = this.run()?.status();
    return status === 'starting' || status === 'running' || status === 'reconnecting';
  });

  /** Stops following the previous command (it keeps running) and starts `command`. */
  start(boxId: string, command: string, args: string[] = []): void {
    this.run()?.stop();
    this.boxId = boxId;
    // From a click, outside the constructor: the injector ties the stream to this component.
    this.run.set(toExecSignals(this.client.exec(boxId, { command, args }), { injector: this.injector }));
  }

  /** SIGKILLs the command on the server; its exit then arrives through the stream. */
  kill(): void {
    const executionId = this.run()?.executionId();
    if (executionId === undefined) return;
    this.client.kill(this.boxId, executionId).subscribe({ error: (error: unknown) => console.warn('kill failed', error) });
  }
}
