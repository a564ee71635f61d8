/**
 * Bounded waits on what a running CLI child printed: each checked as its output arrives, never by
 * sleeping, and failing with what was printed so far.
 */
import type { CliChild } from './cli.js';
import { within } from './within.js';

/** Resolves once `read()` includes `text`, checked on each chunk of `stream`; bounded. */
function shown(stream: NodeJS.ReadableStream, read: () => string, text: string, ms = 5_000): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (!read().includes(text)) return;
        stream.off('data', check);
        resolve();
      };
      stream.on('data', check);
      check();
    }),
    ms,
    () => `${JSON.stringify(text)} (so far ${JSON.stringify(read())})`,
  );
}

/** Resolves once `run` printed `text` on stdout (so far in all); bounded by `ms` (default 5 s). */
export const printed = (run: CliChild, text: string, ms?: number): Promise<void> => shown(run.child.stdout, () => run.stdout().toString('utf8'), text, ms);
/** Resolves once `run` printed `text` on stderr (so far in all); bounded by `ms` (default 5 s). */
export const said = (run: CliChild, text: string, ms?: number): Promise<void> => shown(run.child.stderr, () => run.stderr().toString('utf8'), text, ms);

