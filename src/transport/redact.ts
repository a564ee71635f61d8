/**
 * Masking of the bearer token in what a server says: a server may echo the token it was sent (a
 * 401 body that quotes the header, a close reason), and an error message or a notice must never
 * hold it.
 */

/** What stands in for the token. */
const REDACTED = '***';

/**
 * Tokens shorter than this are masked only where they stand alone (not inside a run of letters
 * and digits): a token `t` must not garble "token". Longer ones are masked wherever they appear.
 */
const SHORT_TOKEN = 8;

/** The characters Go's JSON encoder escapes beyond what `JSON.stringify` does (HTML-safe output). */
const HTML_SAFE = /[<>&\u2028\u2029]/g;

/** How a body may spell `token`: as sent, as `JSON.stringify` escapes it, and as Go's encoder does. */
function spellings(token: string): string[] {
  const escaped = JSON.stringify(token).slice(1, -1);
  const htmlSafe = escaped.replace(HTML_SAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [token, escaped, htmlSafe];
}

/** The last token's spellings: a client masks every REST answer with the same token. */
let last: { readonly token: string; readonly spellings: readonly string[] } | undefined;

function spellingsOf(token: string): readonly string[] {
  if (last?.token !== token) last = { token, spellings: spellings(token) };
  return last.spellings;
}

/** One spelling masked: everywhere, or for a short token only where it stands alone. */
function mask(text: string, spelling: string, short: boolean): string {
  if (!short) return text.split(spelling).join(REDACTED);
  const literal = spelling.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![A-Za-z0-9])${literal}(?![A-Za-z0-9])`, 'g'), REDACTED);
}

/**
 * `text` with `token` replaced by `***`, in each of its spellings (a body is masked before it is
 * parsed, so an escaped copy must go too). A token of fewer than 8 characters is masked only
 * where it stands alone. No token (`undefined`), nothing masked.
 *
 * @example
 * redact('{"message":"token abc123xyz expired"}', 'abc123xyz'); // '{"message":"token *** expired"}'
 */
export function redact(text: string, token: string | undefined): string {
  if (token === undefined || token === '') return text;
  const all = spellingsOf(token);
  // Nearly every answer holds no spelling at all: return it as it is, without a split or a regex.
  if (!all.some((spelling) => text.includes(spelling))) return text;
  const short = token.length < SHORT_TOKEN;
  return all.reduce((masked, spelling) => mask(masked, spelling, short), text);
}
