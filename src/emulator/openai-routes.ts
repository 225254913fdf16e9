import { fingerprint } from '../util/fingerprint.js';
import { buildChatCompletion, ChatRequestSchema } from './chat-completions.js';
import { openaiError } from './envelopes.js';
import { bearerToken, sendJson } from './http-util.js';
import { openaiModelList } from './model-catalog.js';
import { openaiInvalid, validateOpenAI } from './openai-invalid.js';
import { openaiApiKeyHeaders } from './quotas.js';
import { buildResponse, ResponsesRequestSchema } from './responses-api.js';
import { unverifiedContentError } from './sealed-content.js';
import { sendSse } from './sse.js';
import { countModelCall, type RequestContext, type Route } from './state.js';
import { parseWith } from './validate.js';

const MISSING_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
const WRONG_KEY =
  'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.';

/** api.openai.com/v1 with `sk-emu-…` API keys: Chat Completions, Responses and the model list. */
export function openaiRoutes(): Route[] {
  const fault = { target: 'model', provider: 'openai' } as const;
  return [
    { method: 'POST', path: '/openai/v1/chat/completions', fault, record: true, handle: handleChat },
    { method: 'POST', path: '/openai/v1/responses', fault, record: true, handle: handleResponses },
    {
      method: 'GET',
      path: '/openai/v1/models',
      record: true,
      handle: (ctx) => {
        if (authorized(ctx)) sendJson(ctx.res, 200, openaiModelList());
      },
    },
  ];
}

/** True when the request carries an emulator API key; otherwise it has answered 401. */
function authorized(ctx: RequestContext): boolean {
  const key = bearerToken(ctx.req);
  if (key?.startsWith('sk-emu-')) return true;
  const error = key
    ? openaiError(WRONG_KEY, 'invalid_request_error', 'invalid_api_key')
    : openaiError(MISSING_KEY, 'invalid_request_error', null);
  sendJson(ctx.res, 401, error);
  return false;
}

async function handleChat(ctx: RequestContext): Promise<void> {
  if (!authorized(ctx)) return;
  const parsed = parseWith(ChatRequestSchema, await ctx.body());
  if (!parsed.ok) return sendJson(ctx.res, 400, openaiError(parsed.message, 'invalid_request_error', null));
  const { completion, chunks } = buildChatCompletion(parsed.data);
  countModelCall(ctx.state, 'openai');
  const headers = quotaHeaders(ctx, (completion as { usage?: unknown }).usage);
  if (parsed.data.stream === true) return sendSse(ctx.res, chunks, headers);
  sendJson(ctx.res, 200, completion, headers);
}

async function handleResponses(ctx: RequestContext): Promise<void> {
  if (!authorized(ctx)) return;
  const parsed = validateOpenAI(ResponsesRequestSchema, await ctx.body());
  if (!parsed.ok) return sendJson(ctx.res, 400, parsed.error);
  const req = parsed.data;
  const previous = req.previous_response_id;
  const owner = bearerToken(ctx.req) ?? '';
  if (previous && !ctx.state.stored.has(owner, previous)) {
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
  const unverified = unverifiedContentError(req.input, ctx.state.sealer);
  if (unverified !== null) return sendJson(ctx.res, 400, unverified);
  const { response, events } = buildResponse('openai', req, (p) => ctx.state.sealer.seal(p));
  if (req.store !== false) ctx.state.stored.keep(owner, response.id);
  countModelCall(ctx.state, 'openai');
  const headers = quotaHeaders(ctx, response.usage);
  if (req.stream === true) return sendSse(ctx.res, events, headers);
  sendJson(ctx.res, 200, response, headers);
}

/** The API key's `x-ratelimit-*` headers after this call. */
function quotaHeaders(ctx: RequestContext, usage: unknown): Record<string, string> {
  const tokens =
    usage && typeof usage === 'object' && 'total_tokens' in usage && typeof usage.total_tokens === 'number'
      ? usage.total_tokens
      : 0;
  const key = `openai:${fingerprint(bearerToken(ctx.req))}`;
  return openaiApiKeyHeaders(ctx.state.quotas.use(key, ctx.state.now()), tokens);
}
