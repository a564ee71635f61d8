import { describe, expect, it } from 'vitest';
import { redact } from '../../src/transport/redact.js';

describe('redact', () => {
  it('masks every occurrence of the token', () => {
    expect(redact('token abc123 expired; abc123 again', 'abc123')).toBe('token *** expired; *** again');
  });

  it('masks the token as JSON.stringify escapes it, before the body is parsed', () => {
    const token = 'a"b\\c';
    const body = JSON.stringify({ message: `bad ${token}` });
    expect(redact(body, token)).toBe('{"message":"bad ***"}');
  });

  it("masks the token as Go's HTML-safe JSON spells it", () => {
    expect(redact('{"message":"bad a\\u003cb\\u0026c\\u003e-long"}', 'a<b&c>-long')).toBe('{"message":"bad ***"}');
  });

  it('masks a short token only where it stands alone, so it garbles no word', () => {
    expect(redact('missing or invalid bearer token; t was sent', 't')).toBe('missing or invalid bearer token; *** was sent');
    expect(redact('{"message":"bad a\\"b"}', 'a"b')).toBe('{"message":"bad ***"}');
  });

  it('masks a token of 8 characters or more even inside a word', () => {
    expect(redact('prefix12345678suffix', '12345678')).toBe('prefix***suffix');
  });

  it('without a token, leaves the text as it is', () => {
    expect(redact('nothing to mask', undefined)).toBe('nothing to mask');
  });

  it('leaves text without the token as it is', () => {
    expect(redact('execution e1 not found', 'sk-live-0123')).toBe('execution e1 not found');
  });
});
