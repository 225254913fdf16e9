import { describe, expect, it } from 'vitest';
import { classifyRefreshError, parseRetryAfter, readErrorCode } from './classify.js';

const openai = (code: string) => ({
  error: { message: 'x', type: 'invalid_request_error', param: null, code },
});

describe('classifyRefreshError', () => {
  it.each<[string, number, unknown, string, string | null]>([
    ['OpenAI reuse (401)', 401, openai('refresh_token_reused'), 'permanent', 'refresh_token_reused'],
    ['OpenAI reuse (400 variant)', 400, openai('refresh_token_reused'), 'permanent', 'refresh_token_reused'],
    ['OpenAI expired', 400, openai('refresh_token_expired'), 'permanent', 'refresh_token_expired'],
    [
      'OpenAI invalidated',
      401,
      openai('refresh_token_invalidated'),
      'permanent',
      'refresh_token_invalidated',
    ],
    [
      'Anthropic reuse',
      400,
      { error: 'invalid_grant', error_description: 'Refresh token not found or invalid' },
      'permanent',
      'invalid_grant',
    ],
    ['a bare 401', 401, {}, 'permanent', 'revoked'],
    ['a 500', 500, { error: { type: 'api_error' } }, 'transient', null],
    ['a 429', 429, { error: { type: 'rate_limit_error' } }, 'transient', null],
    ['a 404 (retired endpoint)', 404, 'not found', 'transient', null],
  ])('%s → %s', (_name, status, body, kind, reason) => {
    const r = classifyRefreshError(status, body, null);
    expect(r.kind).toBe(kind);
    if (r.kind === 'permanent') expect(r.reason).toBe(reason);
  });

  it('honours Retry-After only on retryable statuses', () => {
    expect(classifyRefreshError(503, {}, '7')).toMatchObject({ kind: 'transient', retryAfterMs: 7000 });
    expect(classifyRefreshError(404, {}, '7')).toMatchObject({ kind: 'transient', retryAfterMs: null });
  });
});

describe('readErrorCode and parseRetryAfter', () => {
  it.each<[unknown, string | null]>([
    [openai('token_expired'), 'token_expired'],
    [{ error: 'invalid_grant' }, 'invalid_grant'],
    [{ type: 'error', error: { type: 'overloaded_error' } }, 'overloaded_error'],
    ['text', null],
    [null, null],
  ])('%j → %s', (body, code) => {
    expect(readErrorCode(body)).toBe(code);
  });

  it.each<[string | null, number | null]>([
    ['3', 3000],
    ['0', 0],
    ['Wed, 02 Dec 2026 00:00:10 GMT', 10_000],
    ['soon', null],
    [null, null],
  ])('Retry-After %j → %s ms', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('Wed, 02 Dec 2026 00:00:00 GMT'))).toBe(ms);
  });
});
