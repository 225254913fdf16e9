import type { ClientFormat } from './formats/ir.js';

const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  502: 'api_error',
  503: 'overloaded_error',
};

/** An error body in the shape the client's SDK expects (OpenAI envelope, or Anthropic's for /v1/messages). */
export function errorBody(
  format: ClientFormat | 'openai',
  status: number,
  code: string,
  message: string,
): string {
  if (format === 'messages') {
    return JSON.stringify({
      type: 'error',
      error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message: `${message} [${code}]` },
    });
  }
  const type =
    status === 401
      ? 'authentication_error'
      : status === 429
        ? 'rate_limit_error'
        : status < 500
          ? 'invalid_request_error'
          : 'api_error';
  return JSON.stringify({ error: { message, type, param: null, code } });
}
