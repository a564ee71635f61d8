/** Diagnostic lines on stderr: one line each, prefixed `boxlite-rx: `, never showing a secret. */

import { redact } from '../transport/redact.js';

/**
 * `message` with every secret masked as `***`, by the library's own rule (`redact`): each
 * spelling a server may echo (as sent, JSON-escaped), a short secret only where it stands alone
 * (`--token t` must not garble `token`).
 *
 * The last guard, not the first: the CLI never puts a secret in a message itself, but a server
 * may echo one back.
 *
 * @example
 * redactAll('box abcdefgh12 not found', ['abcdefgh12']); // 'box *** not found'
 * @param message the text to print.
 * @param secrets the values that must not appear (undefined entries are skipped).
 * @returns the text with each secret masked.
 */
export function redactAll(message: string, secrets: readonly (string | undefined)[]): string {
  return secrets.reduce<string>((text, secret) => redact(text, secret), message);
}

/**
 * Writes `boxlite-rx: <message>` as one line on `stderr`, newlines folded to spaces and
 * `secrets` masked (see {@link redactAll}).
 * @param stderr where the line goes.
 * @param message the diagnostic.
 * @param secrets values that must not appear.
 */
export function reportLine(stderr: { write(text: string): unknown }, message: string, secrets: readonly (string | undefined)[] = []): void {
  stderr.write(`boxlite-rx: ${redactAll(message, secrets).replace(/\s*\n\s*/g, ' ')}\n`);
}
