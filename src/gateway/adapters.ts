import { createHash } from 'node:crypto';
import type { ModelAdapter, NativeRoute } from './adapter.js';
import { CODEX_BACKEND_ADJUSTMENTS } from './passthrough.js';
import { buildMessagesBody, parseMessagesStream } from './wire/anthropic-messages.js';
import { buildChatBody, parseChatStream } from './wire/openai-chat.js';
import { buildCodexBody, parseResponsesStream } from './wire/openai-responses.js';

const JSON_SSE = { 'content-type': 'application/json', accept: 'text/event-stream' };
const AS_WRITTEN: NativeRoute['adjustments'] = [];

/** The beta an Anthropic OAuth (Claude login) token is only accepted with. */
export const ANTHROPIC_OAUTH_BETA = 'oauth-2025-04-20';

/** Adds `beta` to a comma-separated `anthropic-beta` value unless it is there already. */
export function mergeBeta(value: string | undefined, beta: string): string {
  const betas = (value ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return betas.includes(beta) ? betas.join(',') : [...betas, beta].join(',');
}

/** ChatGPT/Codex backend: Responses API over SSE. Codex CLI's own requests pass through. */
const openaiCodex: ModelAdapter = {
  provider: 'openai-codex',
  native: { responses: { path: '/responses', adjustments: CODEX_BACKEND_ADJUSTMENTS, alwaysStreams: true } },
  translated: {
    format: 'responses',
    path: '/responses',
    body: buildCodexBody,
    parse: parseResponsesStream,
    headers: (ir) => ({
      ...JSON_SSE,
      'openai-beta': 'responses=experimental',
      // clawkeep names itself; it never claims to be Codex CLI.
      originator: 'clawkeep',
      ...(ir.cache.key ? { session_id: sessionIdOf(ir.cache.key) } : {}),
    }),
  },
  credentialHeaders: (cred, base) => ({
    ...base,
    authorization: `Bearer ${cred.access}`,
    ...(cred.accountId ? { 'chatgpt-account-id': cred.accountId } : {}),
  }),
};

/** Anthropic Messages, with an API key or a Claude-login token (which needs its OAuth beta). */
const anthropic: ModelAdapter = {
  provider: 'anthropic',
  native: { messages: { path: '/v1/messages', adjustments: AS_WRITTEN, alwaysStreams: false } },
  translated: {
    format: 'messages',
    path: '/v1/messages',
    body: buildMessagesBody,
    parse: parseMessagesStream,
    headers: () => ({ ...JSON_SSE }),
  },
  credentialHeaders: (cred, base) => {
    const version = { 'anthropic-version': base['anthropic-version'] ?? '2023-06-01' };
    if (cred.type !== 'oauth') return { ...base, ...version, 'x-api-key': cred.access };
    return {
      ...base,
      ...version,
      authorization: `Bearer ${cred.access}`,
      'anthropic-beta': mergeBeta(base['anthropic-beta'], ANTHROPIC_OAUTH_BETA),
    };
  },
};

function openaiApi(provider: string, responses: boolean): ModelAdapter {
  const chat: NativeRoute = { path: '/chat/completions', adjustments: AS_WRITTEN, alwaysStreams: false };
  return {
    provider,
    native: responses
      ? { chat, responses: { path: '/responses', adjustments: AS_WRITTEN, alwaysStreams: false } }
      : { chat },
    translated: {
      format: 'chat',
      path: '/chat/completions',
      body: (ir, model) => buildChatBody(ir, model),
      parse: parseChatStream,
      headers: () => ({ ...JSON_SSE }),
    },
    credentialHeaders: (cred, base) => ({ ...base, authorization: `Bearer ${cred.access}` }),
  };
}

/** A stable session id per conversation key, so the backend keeps one conversation's cache together. */
function sessionIdOf(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Model adapters by provider id. */
export const MODEL_ADAPTERS: ReadonlyMap<string, ModelAdapter> = new Map(
  [openaiCodex, anthropic, openaiApi('openai', true), openaiApi('openai-compatible', false)].map((a) => [
    a.provider,
    a,
  ]),
);
