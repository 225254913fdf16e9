/** The OpenAI Chat Completions client format: request parsing, whole answers and the chunk stream. */
export { type ChatIrRequest, parseChatRequest } from './chat-request.js';
export { formatChatResponse } from './chat-response.js';
export { createChatStreamEncoder } from './chat-stream.js';
