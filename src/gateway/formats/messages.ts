/** The Anthropic Messages client format: request parsing, whole answers and the event stream. */
export { parseMessagesRequest } from './messages-request.js';
export { formatMessagesResponse } from './messages-response.js';
export { anthropicError, createMessagesStreamEncoder } from './messages-stream.js';
