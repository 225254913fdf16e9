import { describe, expect, it } from 'vitest';
import { parsePastedAuthorization } from './paste.js';

describe('parsePastedAuthorization', () => {
  it.each([
    ['http://localhost:1455/auth/callback?code=abc&state=xyz', { code: 'abc', state: 'xyz' }],
    ['code=abc&state=xyz', { code: 'abc', state: 'xyz' }],
    ['?code=abc', { code: 'abc', state: null }],
    ['abc#xyz', { code: 'abc', state: 'xyz' }],
    ['  abc  ', { code: 'abc', state: null }],
    ['', { code: null, state: null }],
  ])('%s', (input, expected) => {
    expect(parsePastedAuthorization(input)).toEqual(expected);
  });
});
