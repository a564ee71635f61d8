/**
 * The execution registry: creation, lookup by box and id, eviction (retention elapsed or
 * DELETE), and teardown of everything still alive when the emulator closes.
 */

import type { ExecRequest } from '../../protocol/types.js';
import type { EmulatorEvent } from './events.js';
import { Execution, type ExecutionDriver, type ExecutionSink } from './execution.js';
import type { AttachFault } from './faults.js';
import type { ResolvedOptions } from './options.js';
import type { MutableStats } from './stats.js';

/** What creating an execution needs besides the request. */
export interface CreateExecution {
  readonly id: string;
  readonly boxId: string;
  readonly request: ExecRequest;
  readonly attachFaults: readonly (AttachFault | undefined)[];
  /** A box's main session (never reaped). */
  readonly mainSession?: boolean;
  readonly createDriver: (sink: ExecutionSink, execution: Execution) => ExecutionDriver;
}

/** See the file comment. */
export class ExecutionRegistry {
  private readonly byId = new Map<string, Execution>();
  /** Every execution not yet disposed: registered ones, and evicted ones whose driver still runs. */
  private readonly alive = new Set<Execution>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly stats: MutableStats,
    private readonly emit: (event: EmulatorEvent) => void,
  ) {}

  /** Whether an execution with this id is registered. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Creates, registers and starts an execution. */
  create(spec: CreateExecution): Execution {
    const execution = new Execution({
      id: spec.id,
      boxId: spec.boxId,
      request: spec.request,
      ringBytes: this.options.ringBytes,
      replayShape: this.options.replayShape,
      retentionMs: this.options.retentionMs,
      orphanGrace: this.options.orphanGrace,
      stats: this.stats,
      attachFaults: spec.attachFaults,
      mainSession: spec.mainSession === true,
      emit: this.emit,
      onRetentionElapsed: (done) => this.evict(done, 'retention'),
    });
    this.byId.set(spec.id, execution);
    this.alive.add(execution);
    this.stats.executions += 1;
    this.emit({ type: 'exec', executionId: spec.id, boxId: spec.boxId, command: spec.request.command });
    execution.start((sink) => spec.createDriver(sink, execution));
    return execution;
  }

  /** The execution `id` of box `boxId`, unless unknown, evicted or of another box. */
  get(boxId: string, id: string): Execution | undefined {
    const execution = this.byId.get(id);
    return execution !== undefined && execution.boxId === boxId ? execution : undefined;
  }

  /** The executions of box `boxId` not yet evicted, oldest first. */
  list(boxId: string): Execution[] {
    return [...this.byId.values()].filter((execution) => execution.boxId === boxId);
  }

  /** The execution `id` whatever its box. */
  find(id: string): Execution | undefined {
    return this.byId.get(id);
  }

  /** Removes an execution: every call answers 404 from now on. A running driver finishes on its own. */
  evict(execution: Execution, reason: 'retention' | 'delete'): void {
    if (this.byId.get(execution.id) !== execution) return;
    this.byId.delete(execution.id);
    execution.markEvicted();
    this.stats.evictions += 1;
    this.emit({ type: 'evicted', executionId: execution.id, reason });
    if (execution.isTerminal) {
      this.alive.delete(execution);
      void execution.dispose();
    } else {
      execution.events$.subscribe({
        complete: () => {
          this.alive.delete(execution);
          void execution.dispose();
        },
      });
    }
  }

  /** Disposes every execution (SIGKILLs processes) and waits for them. */
  async disposeAll(): Promise<void> {
    const all = [...this.alive];
    this.alive.clear();
    this.byId.clear();
    await Promise.all(all.map((execution) => execution.dispose()));
  }
}
