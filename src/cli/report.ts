/** Diagnostic lines on stderr: one line each, prefixed `boxlite-rx: `, never showing a secret. */

/** Values shorter than this are not masked: masking them would garble ordinary words. */
const MIN_SECRET_LENGTH = 8;

/**
 * Replaces every whole occurrence of each secret of at least 8 characters with `***`.
 *
 * The last guard, not the first: the CLI never puts a secret in a message itself, but a server
 * may echo one back. Short values are left alone (`--token t` must not garble `token`).
 *
 * @example
 * redact('box abcdefgh12 not found', ['abcdefgh12']); // 'box *** not found'
 * @param message the text to print.
 * @param secrets the values that must not appear (undefined entries are skipped).
 * @returns the text with each long-enough secret masked.
 */
export function redact(message: string, secrets: readonly (string | undefined)[]): string {
  return secrets.reduce<string>(
    (text, secret) => (secret !== undefined && secret.length >= MIN_SECRET_LENGTH ? text.split(secret).join('***') : text),
    message,
  );
}

/**
 * Writes `boxlite-rx: <message>` as one line on `stderr`, newlines folded to spaces and
 * `secrets` masked (see {@link redact}).
 * @param stderr where the line goes.
 * @param message the diagnostic.
 * @param secrets values that must not appear.
 */
export function reportLine(stderr: { write(text: string): unknown }, message: string, secrets: readonly (string | undefined)[] = []): void {
  stderr.write(`boxlite-rx: ${redact(message, secrets).replace(/\s*\n\s*/g, ' ')}\n`);
}
