import { fingerprint } from '../util/fingerprint.js';
import { anthropicAuth } from './anthropic-auth.js';
import { buildMessage, countInputTokens } from './anthropic-messages.js';
import { anthropicError } from './envelopes.js';
import { bearerToken, header, sendJson } from './http-util.js';
import { checkCountTokens, checkMessages, parseBetas } from './messages-rules.js';
import { anthropicModelList } from './model-catalog.js';
import { oauthRoutes } from './oauth-routes.js';
import { anthropicApiKeyHeaders, anthropicUnifiedHeaders, secondsToReset } from './quotas.js';
import { sendSse } from './sse.js';
import { countAccessRejection, countModelCall, type RequestContext, type Route } from './state.js';
import { newId } from './tokens.js';

const OAUTH_BETA = 'oauth-2025-04-20';
const ACCESS_ERRORS = {
  unknown: 'Invalid bearer token',
  expired: 'OAuth token has expired. Please obtain a new token or refresh your existing token.',
  revoked: 'OAuth token has been revoked. Please obtain a new token.',
} as const;

/** Claude's OAuth server and api.anthropic.com's Messages, count_tokens and models endpoints. */
export function anthropicRoutes(): Route[] {
  return [
    ...oauthRoutes(anthropicAuth),
    {
      method: 'POST',
      path: '/anthropic/v1/messages',
      fault: { target: 'model', provider: 'anthropic' },
      record: true,
      handle: handleMessages,
    },
    { method: 'POST', path: '/anthropic/v1/messages/count_tokens', record: true, handle: handleCountTokens },
    { method: 'GET', path: '/anthropic/v1/models', record: true, handle: handleModels },
  ];
}

export type Caller = { kind: 'api_key'; key: string } | { kind: 'oauth'; account: string };

/** Who is calling, or the authentication error message. */
export function authenticate(ctx: RequestContext): Caller | string {
  const apiKey = header(ctx.req, 'x-api-key');
  if (apiKey !== undefined)
    return apiKey.startsWith('sk-emu-') ? { kind: 'api_key', key: apiKey } : 'invalid x-api-key';
  const token = bearerToken(ctx.req);
  if (token === undefined) return 'x-api-key header is required';
  if (!parseBetas(header(ctx.req, 'anthropic-beta')).includes(OAUTH_BETA)) {
    return 'OAuth authentication is currently not supported.';
  }
  const check = ctx.state.ledger.checkAccess(token, ctx.state.now());
  if (check.status !== 'ok')
    countAccessRejection(ctx.state, check.status === 'unknown' ? 'invalid' : check.status);
  return check.status === 'ok'
    ? { kind: 'oauth', account: check.family.account.accountId }
    : ACCESS_ERRORS[check.status];
}

/** Authentication and the version header every endpoint wants; null once it has answered an error. */
function admit(ctx: RequestContext, headers: Record<string, string>): Caller | null {
  const caller = authenticate(ctx);
  if (typeof caller === 'string') {
    sendJson(ctx.res, 401, anthropicError('authentication_error', caller), headers);
    return null;
  }
  if (!header(ctx.req, 'anthropic-version')) {
    sendJson(
      ctx.res,
      400,
      anthropicError('invalid_request_error', 'anthropic-version: header is required'),
      headers,
    );
    return null;
  }
  return caller;
}

async function handleMessages(ctx: RequestContext): Promise<void> {
  const headers = { 'request-id': newId('req', 12) };
  const caller = admit(ctx, headers);
  if (caller === null) return;
  const checked = checkMessages(await ctx.body(), parseBetas(header(ctx.req, 'anthropic-beta')));
  if (!checked.ok) {
    return sendJson(ctx.res, 400, anthropicError('invalid_request_error', checked.message), headers);
  }
  const full =
    caller.kind === 'oauth' ? ctx.state.quotas.full(`anthropic:${caller.account}`, ctx.state.now()) : null;
  if (full) {
    return sendJson(
      ctx.res,
      429,
      anthropicError(
        'rate_limit_error',
        "This request would exceed your account's rate limit. Please try again later.",
      ),
      {
        ...headers,
        ...anthropicUnifiedHeaders(full),
        'retry-after': String(secondsToReset(full, ctx.state.now())),
      },
    );
  }
  const { message, events } = buildMessage(checked.data);
  countModelCall(ctx.state, 'anthropic');
  const usage = message.usage as { input_tokens: number; output_tokens: number };
  const all = { ...headers, ...quotaHeaders(ctx, caller, usage.input_tokens + usage.output_tokens) };
  if (checked.data.stream === true) return sendSse(ctx.res, events, all);
  sendJson(ctx.res, 200, message, all);
}

/** A local estimate: never a model call, never counted as one. */
async function handleCountTokens(ctx: RequestContext): Promise<void> {
  const headers = { 'request-id': newId('req', 12) };
  if (admit(ctx, headers) === null) return;
  const checked = checkCountTokens(await ctx.body(), parseBetas(header(ctx.req, 'anthropic-beta')));
  if (!checked.ok) {
    return sendJson(ctx.res, 400, anthropicError('invalid_request_error', checked.message), headers);
  }
  sendJson(ctx.res, 200, { input_tokens: countInputTokens(checked.data) }, headers);
}

function handleModels(ctx: RequestContext): void {
  const headers = { 'request-id': newId('req', 12) };
  if (admit(ctx, headers) === null) return;
  sendJson(ctx.res, 200, anthropicModelList(), headers);
}

function quotaHeaders(ctx: RequestContext, caller: Caller, tokens: number): Record<string, string> {
  const now = ctx.state.now();
  if (caller.kind === 'api_key') {
    return anthropicApiKeyHeaders(
      ctx.state.quotas.use(`anthropic-key:${fingerprint(caller.key)}`, now),
      tokens,
    );
  }
  return anthropicUnifiedHeaders(ctx.state.quotas.use(`anthropic:${caller.account}`, now));
}
