import type { FaultAction, FaultTarget } from './faults.js';
import type { ProviderId } from './tokens.js';

export interface ErrorReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The OpenAI error envelope shared by auth.openai.com, chatgpt.com and api.openai.com. */
export function openaiError(message: string, type: string | null, code: string | null): { error: unknown } {
  return { error: { message, type, param: null, code } };
}

/** The Anthropic error envelope. */
export function anthropicError(type: string, message: string): { type: 'error'; error: unknown } {
  return { type: 'error', error: { type, message } };
}

/** The answer an injected fault gets, in the shape the provider would use for it. */
export function faultReply(
  action: Exclude<FaultAction, { kind: 'none' }>,
  provider: ProviderId,
  target: FaultTarget,
): ErrorReply {
  if (action.kind === 'rateLimit') {
    const retry = action.retryAfterSeconds;
    return {
      status: 429,
      body: rateLimitBody(provider, target, retry),
      headers: { 'retry-after': String(retry) },
    };
  }
  return { status: action.status, body: serverErrorBody(provider, action.status) };
}

function rateLimitBody(provider: ProviderId, target: FaultTarget, retry: number): unknown {
  if (provider === 'anthropic') {
    return anthropicError(
      'rate_limit_error',
      'Number of requests has exceeded your rate limit. Please try again later.',
    );
  }
  if (provider === 'openai-codex' && target === 'model') {
    return {
      error: {
        type: 'usage_limit_reached',
        message: 'The usage limit has been reached',
        plan_type: 'plus',
        resets_at: Math.floor(Date.now() / 1000) + retry,
        resets_in_seconds: retry,
      },
    };
  }
  return openaiError(
    'Rate limit reached for requests. Please try again later.',
    'requests',
    'rate_limit_exceeded',
  );
}

function serverErrorBody(provider: ProviderId, status: number): unknown {
  if (provider === 'anthropic') {
    return status === 529
      ? anthropicError('overloaded_error', 'Overloaded')
      : anthropicError('api_error', 'Internal server error');
  }
  return openaiError(
    'The server had an error while processing your request. Sorry about that!',
    'server_error',
    null,
  );
}
