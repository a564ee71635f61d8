import { describe, expect, it } from 'vitest';
import { bodyShape } from '../../src/cli/doctor/bodyShape.js';

describe('bodyShape: the four error-body shapes of docs/protocol.md', () => {
  it.each([
    ['runner', '{"error":"execution x not found"}'],
    ['auth', '{"statusCode":401,"message":"no","code":"UNAUTHORIZED","timestamp":"t","path":"/p","method":"GET"}'],
    ['auth', '{"statusCode":401,"message":"no","code":"UNAUTHORIZED","error":"Unauthorized"}'],
    ['serve', '{"error":{"message":"gone","type":"NotFoundError","code":"not_found"}}'],
    ['proxy', ''],
    ['proxy', '  <html><body>502</body></html>'],
    ['other', '{"message":"nope"}'],
    ['other', '{"error":{"message":"no code"}}'],
    ['other', 'plain text'],
    ['other', '[1,2]'],
  ] as const)('%s ← %s', (shape, body) => {
    expect(bodyShape(body)).toBe(shape);
  });
});
