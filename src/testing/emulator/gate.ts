/**
 * The client's start gate (docs/delivery.md, "Start gate"), as a shell would run it: a `POST /exec`
 * of the wrapper `sh -c <gate script> <command> <args…>` is recognised, the execution is listed,
 * scripted, faulted and reported as the unwrapped command, and a `GateDriver` holds the command
 * back until stdin brings the nonce line. With `allowProcesses` and no script of that name, the
 * wrapper really runs through `sh` instead.
 */

import { GATE_CLOSED_EXIT, gateScript } from '../../protocol/startGate.js';
import type { ExecRequest } from '../../protocol/types.js';
import { signalExitCode, type ExecutionDriver, type ExecutionSink } from './execution.js';

/** The unwrapped request and the gate's nonce, or `undefined` when `request` is not the gate's wrapper. */
export function ungate(request: ExecRequest): { readonly request: ExecRequest; readonly nonce: string } | undefined {
  const [flag, script, command, ...args] = request.args ?? [];
  const nonce = /\[ "\$l" = ([0-9a-z]+) \]/.exec(script ?? '')?.[1];
  if (request.command !== 'sh' || flag !== '-c' || command === undefined || nonce === undefined || script !== gateScript(nonce)) {
    return undefined;
  }
  return { request: { ...request, command, args }, nonce };
}

/** The signals the wrapper traps: before it opened, each closes the gate. */
const TRAPPED = [1, 2, 15];
const NEWLINE = 0x0a;

/**
 * Holds a driver back until a stdin line equals the nonce, as the wrapper's `read` loop does;
 * the bytes after that line, and everything later, go to the command. Before it opens, stdin
 * ending or a trapped signal (1, 2, 15) exits 125 with the wrapper's one stderr line; other
 * signals end it as they would end `sh` (128+N; 28, WINCH, is ignored).
 */
export class GateDriver implements ExecutionDriver {
  private inner: ExecutionDriver | undefined;
  private line = '';

  /**
   * @param nonce the line that opens the gate.
   * @param sink where the gate's own line and exit go.
   * @param open creates the command's driver when the gate opens.
   * @param consumed told how many stdin bytes the gate read (they are not the command's).
   */
  constructor(
    private readonly nonce: string,
    private readonly sink: ExecutionSink,
    private readonly open: () => ExecutionDriver,
    private readonly consumed: (bytes: number) => void,
  ) {}

  start(): void {
    // The command starts when the gate opens.
  }

  writeStdin(data: Uint8Array): void {
    if (this.inner !== undefined) return this.inner.writeStdin(data);
    for (let index = 0; index < data.length; index += 1) {
      if (data[index] !== NEWLINE) {
        this.line += String.fromCharCode(data[index] as number);
      } else if (this.line === this.nonce) {
        this.consumed(index + 1);
        this.inner = this.open();
        this.inner.start();
        if (index + 1 < data.length) this.inner.writeStdin(data.subarray(index + 1));
        return;
      } else {
        this.line = '';
      }
    }
    this.consumed(data.length);
  }

  endStdin(): void {
    if (this.inner !== undefined) return this.inner.endStdin();
    this.close('stdin ended');
  }

  signal(signal: number): void {
    if (this.inner !== undefined) return this.inner.signal(signal);
    if (TRAPPED.includes(signal)) this.close('signal');
    else if (signal !== 28) this.sink.exit(signalExitCode(signal));
  }

  attached(): void {
    this.inner?.attached();
  }

  roomFreed(): void {
    this.inner?.roomFreed?.();
  }

  dispose(): Promise<void> {
    return this.inner?.dispose() ?? Promise.resolve();
  }

  private close(why: string): void {
    this.sink.output('stderr', new TextEncoder().encode(`boxlite-rx: start gate closed: ${why}\n`));
    this.sink.exit(GATE_CLOSED_EXIT);
  }
}
