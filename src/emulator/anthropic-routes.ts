import { anthropicAuth } from './anthropic-auth.js';
import { buildMessage, MessagesRequestSchema } from './anthropic-messages.js';
import { anthropicError } from './envelopes.js';
import { bearerToken, header, sendJson } from './http-util.js';
import { oauthRoutes } from './oauth-routes.js';
import { sendSse } from './sse.js';
import { countModelCall, type RequestContext, type Route } from './state.js';
import { newId } from './tokens.js';
import { parseWith } from './validate.js';

const OAUTH_BETA = 'oauth-2025-04-20';
const ACCESS_ERRORS = {
  unknown: 'Invalid bearer token',
  expired: 'OAuth token has expired. Please obtain a new token or refresh your existing token.',
  revoked: 'OAuth token has been revoked. Please obtain a new token.',
} as const;

/** Claude's OAuth server and api.anthropic.com's Messages endpoint. */
export function anthropicRoutes(): Route[] {
  return [
    ...oauthRoutes(anthropicAuth),
    {
      method: 'POST',
      path: '/anthropic/v1/messages',
      fault: { target: 'model', provider: 'anthropic' },
      handle: handleMessages,
    },
  ];
}

/** Null when the request may call the model, else the authentication error message. */
function authenticate(ctx: RequestContext): string | null {
  const apiKey = header(ctx.req, 'x-api-key');
  if (apiKey !== undefined) return apiKey.startsWith('sk-emu-') ? null : 'invalid x-api-key';
  const token = bearerToken(ctx.req);
  if (token === undefined) return 'x-api-key header is required';
  const betas = (header(ctx.req, 'anthropic-beta') ?? '').split(',').map((b) => b.trim());
  if (!betas.includes(OAUTH_BETA)) return 'OAuth authentication is currently not supported.';
  const check = ctx.state.ledger.checkAccess(token, ctx.state.now());
  return check.status === 'ok' ? null : ACCESS_ERRORS[check.status];
}

async function handleMessages(ctx: RequestContext): Promise<void> {
  const headers = { 'request-id': newId('req', 12) };
  const authError = authenticate(ctx);
  if (authError !== null) {
    return sendJson(ctx.res, 401, anthropicError('authentication_error', authError), headers);
  }
  if (!header(ctx.req, 'anthropic-version')) {
    return sendJson(
      ctx.res,
      400,
      anthropicError('invalid_request_error', 'anthropic-version: header is required'),
      headers,
    );
  }
  const parsed = parseWith(MessagesRequestSchema, await ctx.body());
  if (!parsed.ok) {
    return sendJson(ctx.res, 400, anthropicError('invalid_request_error', parsed.message), headers);
  }
  const { message, events } = buildMessage(parsed.data);
  countModelCall(ctx.state, 'anthropic');
  if (parsed.data.stream === true) return sendSse(ctx.res, events, headers);
  sendJson(ctx.res, 200, message, headers);
}
