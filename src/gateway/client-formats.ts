import type { IncomingHttpHeaders } from 'node:http';
import { createChatStreamEncoder, formatChatResponse, parseChatRequest } from './formats/chat.js';
import type { ClientFormat, IrRequest, IrResponse, IrTool } from './formats/ir.js';
import {
  createMessagesStreamEncoder,
  formatMessagesResponse,
  parseMessagesRequest,
} from './formats/messages.js';
import {
  createResponsesStreamEncoder,
  formatResponsesResponse,
  parseResponsesRequest,
} from './formats/responses.js';
import type { StreamEncoder } from './formats/stream-encoder.js';

/** How the gateway reads and answers one client API shape in translation. */
export interface ClientCodec {
  parse(body: unknown): IrRequest;
  /** `tools` are the request's, so calls to a client's special tools are answered in kind. */
  formatResponse(r: IrResponse, tools: readonly IrTool[]): unknown;
  createEncoder(opts: { model: string; includeUsage: boolean; tools: readonly IrTool[] }): StreamEncoder;
}

/**
 * One API shape clients speak: where it is served, how its requests are read, how its answers and
 * errors are written. A new client format is a descriptor here plus its codec files.
 */
export interface ClientFormatDescriptor {
  id: ClientFormat;
  /** Request paths (query strings are ignored). */
  paths: readonly string[];
  codec: ClientCodec;
  errorBody(status: number, code: string, message: string): string;
  /** The clawkeep client key, where this format's SDKs send their API key. */
  readKey(headers: IncomingHttpHeaders): string | null;
  readModel(body: Record<string, unknown>): string;
  readStream(body: Record<string, unknown>): boolean;
}

const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  502: 'api_error',
  503: 'overloaded_error',
  529: 'overloaded_error',
};

/** OpenAI's error envelope (chat completions, responses, models). */
export function openaiErrorBody(status: number, code: string, message: string): string {
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

/** Anthropic's error envelope; the stable code rides at the end of the message. */
export function anthropicErrorBody(status: number, code: string, message: string): string {
  return JSON.stringify({
    type: 'error',
    error: { type: ANTHROPIC_ERROR_TYPES[status] ?? 'api_error', message: `${message} [${code}]` },
  });
}

function bearer(headers: IncomingHttpHeaders): string | null {
  const auth = headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null;
}

function xApiKey(headers: IncomingHttpHeaders): string | null {
  const x = headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : null;
}

const readModel = (body: Record<string, unknown>) => (typeof body.model === 'string' ? body.model : '');
const readStream = (body: Record<string, unknown>) => body.stream === true;

export const CHAT: ClientFormatDescriptor = {
  id: 'chat',
  paths: ['/v1/chat/completions', '/chat/completions'],
  codec: {
    parse: parseChatRequest,
    formatResponse: formatChatResponse,
    createEncoder: createChatStreamEncoder,
  },
  errorBody: openaiErrorBody,
  readKey: (h) => bearer(h) ?? xApiKey(h),
  readModel,
  readStream,
};

export const RESPONSES: ClientFormatDescriptor = {
  id: 'responses',
  paths: ['/v1/responses', '/responses'],
  codec: {
    parse: parseResponsesRequest,
    formatResponse: formatResponsesResponse,
    createEncoder: createResponsesStreamEncoder,
  },
  errorBody: openaiErrorBody,
  readKey: (h) => bearer(h) ?? xApiKey(h),
  readModel,
  readStream,
};

export const MESSAGES: ClientFormatDescriptor = {
  id: 'messages',
  paths: ['/v1/messages'],
  codec: {
    parse: parseMessagesRequest,
    formatResponse: formatMessagesResponse,
    createEncoder: createMessagesStreamEncoder,
  },
  errorBody: anthropicErrorBody,
  // Anthropic SDKs send an API key as x-api-key and an auth token (ANTHROPIC_AUTH_TOKEN) as a bearer.
  readKey: (h) => xApiKey(h) ?? bearer(h),
  readModel,
  readStream,
};

export const CLIENT_FORMATS: Readonly<Record<ClientFormat, ClientFormatDescriptor>> = {
  chat: CHAT,
  responses: RESPONSES,
  messages: MESSAGES,
};

/** The descriptor serving a request path, if any. */
export function formatForPath(path: string): ClientFormatDescriptor | undefined {
  return PATHS.get(path);
}

const PATHS = new Map(Object.values(CLIENT_FORMATS).flatMap((d) => d.paths.map((p) => [p, d] as const)));
