import { openaiError } from './envelopes.js';
import { bearerToken, header, sendJson } from './http-util.js';
import { roleOf } from './model-reply.js';
import { oauthRoutes } from './oauth-routes.js';
import { AUTH_CLAIM, OPENAI_API_AUDIENCE, OPENAI_ISSUER, openaiCodexAuth } from './openai-codex-auth.js';
import { openaiInvalid, validateOpenAI } from './openai-invalid.js';
import { codexQuotaHeaders, codexRateLimitsEvent, secondsToReset } from './quotas.js';
import { buildResponse } from './responses-api.js';
import { CODEX_UNSUPPORTED, ResponsesRequestSchema } from './responses-schema.js';
import { unverifiedContentError } from './sealed-content.js';
import { sendSse } from './sse.js';
import { countAccessRejection, countModelCall, type RequestContext, type Route } from './state.js';

/** auth.openai.com (OAuth, JWKS) and chatgpt.com/backend-api/codex (the Responses stream). */
export function openaiCodexRoutes(): Route[] {
  return [
    ...oauthRoutes(openaiCodexAuth),
    {
      method: 'GET',
      path: '/openai-codex/.well-known/jwks.json',
      handle: (ctx) => sendJson(ctx.res, 200, ctx.state.signer.jwks()),
    },
    {
      method: 'POST',
      path: '/openai-codex/backend-api/codex/responses',
      fault: { target: 'model', provider: 'openai-codex' },
      record: true,
      handle: handleCodexResponses,
    },
  ];
}

type AuthFailure = 'missing' | 'invalid' | 'expired' | 'revoked';

const AUTH_ERRORS: Record<AuthFailure, { message: string; code: string | null }> = {
  missing: { message: 'Missing bearer or basic authentication in header', code: null },
  invalid: {
    message: 'Could not parse your authentication token. Please try signing in again.',
    code: 'token_invalid',
  },
  expired: {
    message: 'Provided authentication token is expired. Please try signing in again.',
    code: 'token_expired',
  },
  revoked: {
    message: 'Your authentication token has been invalidated. Please try signing in again.',
    code: 'token_invalidated',
  },
};

/** The chatgpt_account_id claim of a valid, live emulator access token, or why it is refused. */
async function authenticate(ctx: RequestContext): Promise<{ accountId: unknown } | { failure: AuthFailure }> {
  const token = bearerToken(ctx.req);
  if (!token) return { failure: 'missing' };
  const check = await ctx.state.signer.verify(token, OPENAI_ISSUER);
  if (check.status !== 'ok') return { failure: check.status };
  const { payload } = check;
  const audience = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (typeof payload.jti !== 'string' || !audience.includes(OPENAI_API_AUDIENCE)) {
    return { failure: 'invalid' };
  }
  const live = ctx.state.ledger.checkAccess(payload.jti, ctx.state.now());
  if (live.status !== 'ok') return { failure: live.status === 'unknown' ? 'invalid' : live.status };
  const auth = payload[AUTH_CLAIM];
  return {
    accountId:
      auth && typeof auth === 'object' && 'chatgpt_account_id' in auth ? auth.chatgpt_account_id : undefined,
  };
}

/**
 * The account of a request the backend admits: a live access token (401 in the backend's shape
 * otherwise) and a `ChatGPT-Account-ID` header naming its account (403). Null once it has answered.
 */
export async function admitCodex(ctx: RequestContext): Promise<string | null> {
  const auth = await authenticate(ctx);
  if ('failure' in auth) {
    if (auth.failure !== 'missing') countAccessRejection(ctx.state, auth.failure);
    const { message, code } = AUTH_ERRORS[auth.failure];
    sendJson(ctx.res, 401, openaiError(message, 'invalid_request_error', code));
    return null;
  }
  if (typeof auth.accountId !== 'string' || header(ctx.req, 'chatgpt-account-id') !== auth.accountId) {
    sendJson(ctx.res, 403, {
      detail: 'The ChatGPT-Account-ID header does not match the account of the access token.',
    });
    return null;
  }
  return auth.accountId;
}

async function handleCodexResponses(ctx: RequestContext): Promise<void> {
  const accountId = await admitCodex(ctx);
  if (accountId === null) return;
  const auth = { accountId };
  const body = await ctx.body();
  const refusal = codexBackendRefusal(body);
  if (refusal !== null) return sendJson(ctx.res, 400, { detail: refusal });
  const previous = body.previous_response_id;
  if (typeof previous === 'string' && previous !== '') {
    // store must be false here, so no earlier response can be found
    return sendJson(
      ctx.res,
      400,
      openaiInvalid(
        `Previous response with id '${previous}' not found.`,
        'previous_response_id',
        'previous_response_not_found',
      ),
    );
  }
  const parsed = validateOpenAI(ResponsesRequestSchema, body);
  if (!parsed.ok) return sendJson(ctx.res, 400, parsed.error);
  const unverified = unverifiedContentError(parsed.data.input, ctx.state.sealer);
  if (unverified !== null) return sendJson(ctx.res, 400, unverified);
  const now = ctx.state.now();
  const full = ctx.state.quotas.full(`openai-codex:${auth.accountId}`, now);
  if (full) {
    // What the backend answers a plan whose window is used up.
    const resets = secondsToReset(full, now);
    return sendJson(
      ctx.res,
      429,
      {
        error: {
          type: 'usage_limit_reached',
          message: 'The usage limit has been reached',
          plan_type: 'plus',
          resets_at: Math.floor(now / 1000) + resets,
          resets_in_seconds: resets,
        },
      },
      codexQuotaHeaders(full),
    );
  }
  const { events } = buildResponse('openai-codex', parsed.data, (p) => ctx.state.sealer.seal(p));
  countModelCall(ctx.state, 'openai-codex');
  const usage = ctx.state.quotas.use(`openai-codex:${auth.accountId}`, now);
  sendSse(
    ctx.res,
    [{ event: 'codex.rate_limits', data: codexRateLimitsEvent(usage, now) }, ...events],
    codexQuotaHeaders(usage),
  );
}

const KNOWN = new Set(Object.keys(ResponsesRequestSchema.shape));
const UNSUPPORTED = new Set<string>(CODEX_UNSUPPORTED);

/**
 * The Codex backend's own checks, answered as `{"detail": …}` before the Responses engine sees the
 * request: parameters it refuses, streaming and `store: false` required, input a list without
 * `system` messages, and instructions present.
 */
export function codexBackendRefusal(body: Record<string, unknown>): string | null {
  for (const key of Object.keys(body)) {
    if (UNSUPPORTED.has(key) || !KNOWN.has(key)) return `Unsupported parameter: ${key}`;
  }
  if (body.stream !== true) return 'Stream must be set to true';
  if (body.store !== false) return 'Store must be set to false';
  if (!Array.isArray(body.input)) return 'Input must be a list';
  if (body.input.some((item) => roleOf(item) === 'system')) return 'System messages are not allowed';
  // Codex CLI 0.171 sends no `instructions` and its base prompt as the first developer message;
  // clients that send neither are refused, as reported in 2026.
  const instructed = typeof body.instructions === 'string' && body.instructions !== '';
  if (!instructed && !body.input.some((item) => roleOf(item) === 'developer'))
    return 'Instructions are required';
  return null;
}
