/** The OpenAI Responses API client format: request parsing, whole answers and the event stream. */
export { parseResponsesRequest } from './responses-request.js';
export { formatResponsesResponse } from './responses-response.js';
export { createResponsesStreamEncoder } from './responses-stream.js';
