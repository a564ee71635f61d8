/** What `probe` learned about an execution. */
export type ProbeResult =
  | {
      readonly state: 'terminal';
      /** `completed`, `killed` or `timed_out`. */
      readonly status: string;
      /** The exit code; -1 when the server reported a terminal status without one. */
      readonly exitCode: number;
      readonly message?: string;
    }
  | { readonly state: 'running' }
  | { readonly state: 'gone'; readonly message: string }
  | {
      readonly state: 'unavailable';
      readonly reason: string;
      /** HTTP status, when an answer came. */
      readonly status?: number;
    };
