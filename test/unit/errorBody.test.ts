import { describe, expect, it } from 'vitest';
import { parseErrorBody } from '../../src/protocol/errorBody.js';

describe('parseErrorBody', () => {
  describe('shape 1: runner {"error":"…"}', () => {
    it('takes the string as the message, with no code', () => {
      const parsed = parseErrorBody(404, '{"error":"execution exec-1 not found"}', 'Not Found');
      expect(parsed).toEqual({ message: 'execution exec-1 not found' });
      expect('code' in parsed).toBe(false);
    });

    it('ignores a top-level code next to a string error', () => {
      expect(parseErrorBody(409, '{"error":"slot taken","code":"conflict"}')).toEqual({ message: 'slot taken' });
    });

    it('falls back to the status for an empty error string', () => {
      expect(parseErrorBody(500, '{"error":""}', 'Internal Server Error')).toEqual({
        message: 'HTTP 500 Internal Server Error',
      });
    });
  });

  describe('shape 2: auth middleware {"statusCode","message","code"}', () => {
    it('prefers message over the "error" word the middleware also sends', () => {
      const body = JSON.stringify({ statusCode: 401, message: 'missing or invalid bearer token', code: 'UNAUTHORIZED', error: 'Unauthorized' });
      expect(parseErrorBody(401, body, 'Unauthorized')).toEqual({ code: 'UNAUTHORIZED', message: 'missing or invalid bearer token' });
    });

    it('takes code and message', () => {
      const body = JSON.stringify({ statusCode: 401, message: 'Invalid API key', code: 'UNAUTHORIZED', timestamp: 'x' });
      expect(parseErrorBody(401, body, 'Unauthorized')).toEqual({ code: 'UNAUTHORIZED', message: 'Invalid API key' });
    });

    it('falls back to the status when message is missing or empty', () => {
      expect(parseErrorBody(403, '{"statusCode":403,"code":"FORBIDDEN"}', 'Forbidden')).toEqual({
        code: 'FORBIDDEN',
        message: 'HTTP 403 Forbidden',
      });
      expect(parseErrorBody(403, '{"message":"","code":"FORBIDDEN"}')).toEqual({
        code: 'FORBIDDEN',
        message: 'HTTP 403',
      });
    });

    it('leaves out a code that is not a non-empty string', () => {
      expect(parseErrorBody(401, '{"statusCode":401,"message":"nope","code":401}')).toEqual({ message: 'nope' });
      expect(parseErrorBody(401, '{"statusCode":401,"message":"nope","code":""}')).toEqual({ message: 'nope' });
    });

    it('leaves out a message that is not a string', () => {
      expect(parseErrorBody(400, '{"message":{"x":1},"code":"BAD"}', 'Bad Request')).toEqual({
        code: 'BAD',
        message: 'HTTP 400 Bad Request',
      });
    });
  });

  describe('shape 3: boxlite serve {"error":{"message","type","code"}}', () => {
    it.each(['not_found', 'session_reaped', 'already_exists', 'invalid_state'])('takes code %s and message', (code) => {
      const body = JSON.stringify({ error: { message: 'the message', type: 'invalid_request_error', code } });
      expect(parseErrorBody(404, body)).toEqual({ code, message: 'the message' });
    });

    it('uses type when there is no code', () => {
      expect(parseErrorBody(409, '{"error":{"message":"stopped","type":"invalid_state"}}')).toEqual({
        code: 'invalid_state',
        message: 'stopped',
      });
    });

    it('uses type when code is empty', () => {
      expect(parseErrorBody(409, '{"error":{"message":"m","type":"t","code":""}}')).toEqual({ code: 't', message: 'm' });
    });

    it('falls back to the status when the nested message is missing', () => {
      expect(parseErrorBody(404, '{"error":{"code":"not_found"}}', 'Not Found')).toEqual({
        code: 'not_found',
        message: 'HTTP 404 Not Found',
      });
    });

    it('gives only a message when neither code nor type is there', () => {
      const parsed = parseErrorBody(500, '{"error":{"message":"boom"}}');
      expect(parsed).toEqual({ message: 'boom' });
      expect('code' in parsed).toBe(false);
    });

    it('gives the fallback for an empty nested object', () => {
      expect(parseErrorBody(500, '{"error":{}}', 'Internal Server Error')).toEqual({
        message: 'HTTP 500 Internal Server Error',
      });
    });
  });

  describe('shape 4: proxies (empty or HTML)', () => {
    it.each([
      [401, 'Unauthorized'],
      [404, 'Not Found'],
      [502, 'Bad Gateway'],
      [503, 'Service Unavailable'],
      [504, 'Gateway Timeout'],
    ])('an empty %i body gives the status and its text', (status, text) => {
      expect(parseErrorBody(status, '', text)).toEqual({ message: `HTTP ${status} ${text}` });
    });

    it('an empty body without a status text gives the status alone', () => {
      expect(parseErrorBody(502, '')).toEqual({ message: 'HTTP 502' });
      expect(parseErrorBody(502, '', '')).toEqual({ message: 'HTTP 502' });
    });

    it('an HTML page gives the status only', () => {
      const html = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';
      expect(parseErrorBody(502, html, 'Bad Gateway')).toEqual({ message: 'HTTP 502 Bad Gateway' });
    });

    it('whitespace gives the status only', () => {
      expect(parseErrorBody(504, '  \n', 'Gateway Timeout')).toEqual({ message: 'HTTP 504 Gateway Timeout' });
    });
  });

  describe('garbage', () => {
    it.each(['null', '42', '"a string"', 'true', '{"error":', '\u0000\u0001', '[1,2'])('%j gives the fallback', (body) => {
      expect(parseErrorBody(500, body, 'Internal Server Error')).toEqual({ message: 'HTTP 500 Internal Server Error' });
    });

    it('a JSON array gives the fallback', () => {
      expect(parseErrorBody(500, '[{"error":"x"}]')).toEqual({ message: 'HTTP 500' });
    });

    it('an error that is null or a number falls through to the top-level fields', () => {
      expect(parseErrorBody(500, '{"error":null,"message":"top"}')).toEqual({ message: 'top' });
      expect(parseErrorBody(500, '{"error":7,"code":"C"}')).toEqual({ code: 'C', message: 'HTTP 500' });
    });

    it('an unrelated object gives the fallback', () => {
      expect(parseErrorBody(418, '{"detail":"teapot"}', "I'm a teapot")).toEqual({ message: "HTTP 418 I'm a teapot" });
    });
  });

  describe('long messages', () => {
    it('clips a message over 300 characters to 300 plus an ellipsis', () => {
      const long = 'x'.repeat(301);
      expect(parseErrorBody(500, JSON.stringify({ error: long })).message).toBe(`${'x'.repeat(300)}…`);
      expect(parseErrorBody(500, JSON.stringify({ error: { message: long } })).message).toBe(`${'x'.repeat(300)}…`);
      expect(parseErrorBody(500, JSON.stringify({ message: long, code: 'C' }))).toEqual({
        code: 'C',
        message: `${'x'.repeat(300)}…`,
      });
    });

    it('keeps a message of exactly 300 characters', () => {
      const exact = 'y'.repeat(300);
      expect(parseErrorBody(500, JSON.stringify({ error: exact })).message).toBe(exact);
    });
  });
});
