import { buildChatCompletion, ChatRequestSchema } from './chat-completions.js';
import { openaiError } from './envelopes.js';
import { bearerToken, readBody, sendJson } from './http-util.js';
import { buildResponse, ResponsesRequestSchema } from './responses-api.js';
import { sendSse } from './sse.js';
import { countModelCall, type RequestContext, type Route } from './state.js';
import { parseWith } from './validate.js';

const MISSING_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
const WRONG_KEY =
  'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.';

/** api.openai.com/v1 with `sk-emu-…` API keys: Chat Completions and Responses. */
export function openaiRoutes(): Route[] {
  const fault = { target: 'model', provider: 'openai' } as const;
  return [
    { method: 'POST', path: '/openai/v1/chat/completions', fault, handle: handleChat },
    { method: 'POST', path: '/openai/v1/responses', fault, handle: handleResponses },
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
  const parsed = parseWith(ChatRequestSchema, await readBody(ctx.req));
  if (!parsed.ok) return sendJson(ctx.res, 400, openaiError(parsed.message, 'invalid_request_error', null));
  const { completion, chunks } = buildChatCompletion(parsed.data);
  countModelCall(ctx.state, 'openai');
  if (parsed.data.stream === true) return sendSse(ctx.res, chunks);
  sendJson(ctx.res, 200, completion);
}

async function handleResponses(ctx: RequestContext): Promise<void> {
  if (!authorized(ctx)) return;
  const parsed = parseWith(ResponsesRequestSchema, await readBody(ctx.req));
  if (!parsed.ok) return sendJson(ctx.res, 400, openaiError(parsed.message, 'invalid_request_error', null));
  const { response, events } = buildResponse('openai', parsed.data);
  countModelCall(ctx.state, 'openai');
  if (parsed.data.stream === true) return sendSse(ctx.res, events);
  sendJson(ctx.res, 200, response);
}
