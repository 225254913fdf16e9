import { randomUUID } from 'node:crypto';
import type { ModelAdapter } from './adapter.js';
import { buildMessagesBody, parseMessagesStream } from './wire/anthropic-messages.js';
import { buildChatBody, parseChatStream } from './wire/openai-chat.js';
import { buildCodexBody, parseResponsesStream } from './wire/openai-responses.js';

const JSON_SSE = { 'content-type': 'application/json', accept: 'text/event-stream' };

/** ChatGPT/Codex backend: Responses API over SSE, with the headers the Codex CLI sends. */
const openaiCodex: ModelAdapter = {
  provider: 'openai-codex',
  wire: 'responses',
  canPassThrough: () => false,
  path: '/responses',
  headers: (cred) => ({
    ...JSON_SSE,
    authorization: `Bearer ${cred.access}`,
    ...(cred.accountId ? { 'chatgpt-account-id': cred.accountId } : {}),
    originator: 'codex_cli_rs',
    'openai-beta': 'responses=experimental',
    session_id: randomUUID(),
  }),
  body: (ir, model) => buildCodexBody(ir, model),
  parse: parseResponsesStream,
};

/** Anthropic Messages: Claude-login OAuth tokens (with the Claude Code betas) or API keys. */
const anthropic: ModelAdapter = {
  provider: 'anthropic',
  wire: 'messages',
  // Subscription tokens need the Claude Code system preamble, so only key traffic passes through untouched.
  canPassThrough: (cred) => cred.type !== 'oauth',
  path: '/v1/messages',
  headers: (cred) =>
    cred.type === 'oauth'
      ? {
          ...JSON_SSE,
          authorization: `Bearer ${cred.access}`,
          'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20',
          'anthropic-version': '2023-06-01',
        }
      : { ...JSON_SSE, 'x-api-key': cred.access, 'anthropic-version': '2023-06-01' },
  body: (ir, model, cred) => buildMessagesBody(ir, model, { oauth: cred.type === 'oauth' }),
  parse: parseMessagesStream,
};

function openaiChat(provider: string): ModelAdapter {
  return {
    provider,
    wire: 'chat',
    canPassThrough: () => true,
    path: '/chat/completions',
    headers: (cred) => ({ ...JSON_SSE, authorization: `Bearer ${cred.access}` }),
    body: (ir, model) => buildChatBody(ir, model),
    parse: parseChatStream,
  };
}

/** Model adapters by provider id. */
export const MODEL_ADAPTERS: ReadonlyMap<string, ModelAdapter> = new Map(
  [openaiCodex, anthropic, openaiChat('openai'), openaiChat('openai-compatible')].map((a) => [a.provider, a]),
);
