import { createChatStreamEncoder, formatChatResponse, parseChatRequest } from './formats/chat.js';
import type { ClientFormat, IrRequest, IrResponse } from './formats/ir.js';
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

/** How the gateway reads and answers one client API shape. */
export interface ClientCodec {
  parse(body: unknown): IrRequest;
  formatResponse(r: IrResponse): unknown;
  createEncoder(opts: { model: string; includeUsage: boolean }): StreamEncoder;
}

export const CLIENT_CODECS: Readonly<Record<ClientFormat, ClientCodec>> = {
  chat: {
    parse: parseChatRequest,
    formatResponse: formatChatResponse,
    createEncoder: createChatStreamEncoder,
  },
  responses: {
    parse: parseResponsesRequest,
    formatResponse: formatResponsesResponse,
    createEncoder: createResponsesStreamEncoder,
  },
  messages: {
    parse: parseMessagesRequest,
    formatResponse: formatMessagesResponse,
    createEncoder: createMessagesStreamEncoder,
  },
};
