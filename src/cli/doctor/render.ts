/**
 * The doctor's report: one line per check (`ok` or `DIFFERS`, with what docs/protocol.md says),
 * the recommended client options, and a verdict; or the same as one JSON document (`--json`).
 */

import type { Check } from './checks.js';
import type { Measurements } from './measurements.js';
import { optionsLiteral, type Recommended } from './recommend.js';

/** What the report is about, and what was found. */
export interface Report {
  readonly url: string;
  readonly pathPrefix: string | undefined;
  readonly boxId: string;
  readonly checks: readonly Check[];
  readonly recommended: Recommended;
  readonly measurements: Measurements;
}

/** Whether every check passed. */
export function conforms(report: Report): boolean {
  return report.checks.every((check) => check.ok);
}

/** The width of the id column: the longest id, `single-attach`, and two spaces. */
const ID_WIDTH = 'single-attach'.length + 2;

/** `ok       ring           262144 bytes …` / `DIFFERS  ping           … (docs/protocol.md: …)`. */
function checkLine(check: Check): string {
  const expected = check.expected === undefined ? '' : ` (docs/protocol.md: ${check.expected})`;
  return `${(check.ok ? 'ok' : 'DIFFERS').padEnd(9)}${check.id.padEnd(ID_WIDTH)}${check.measured}${expected}`;
}

/**
 * The report as text, lines ending in `\n`.
 * @param report what was found.
 */
export function renderText(report: Report): string {
  const differing = report.checks.filter((check) => !check.ok).length;
  const where = report.pathPrefix === undefined ? report.url : `${report.url} (prefix ${report.pathPrefix})`;
  const lines = [
    `boxlite-rx doctor: ${where}, box ${report.boxId}`,
    ...report.checks.map(checkLine),
    '',
    `recommended client options: ${optionsLiteral(report.recommended)}`,
    `  (boxlite-rx exec and attach: --replay-shape ${report.recommended.replayShape}; the default, auto, finds it too)`,
    differing === 0
      ? 'the server behaves as docs/protocol.md says'
      : `${differing} line${differing === 1 ? '' : 's'} differ${differing === 1 ? 's' : ''} from docs/protocol.md`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The report as one JSON document and a newline.
 * @param report what was found.
 */
export function renderJson(report: Report): string {
  return `${JSON.stringify({
    url: report.url,
    pathPrefix: report.pathPrefix ?? null,
    boxId: report.boxId,
    conforms: conforms(report),
    checks: report.checks,
    recommended: report.recommended,
    measurements: report.measurements,
  })}\n`;
}
