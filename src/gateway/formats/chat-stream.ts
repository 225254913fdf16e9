import { chatFinishReason, chatUsage } from './chat-response.js';
import { idFor, newId } from './ids.js';
import type { IrEvent } from './ir.js';
import { sseFrame } from './sse-frame.js';
import { type StreamEncoder, UNFINISHED } from './stream-encoder.js';

/**
 * Encodes events as `chat.completion.chunk` SSE: a first chunk with the assistant role, text as
 * `delta.content`, tool calls as `delta.tool_calls` (index, id, type and name first, then argument
 * pieces), a chunk with `finish_reason`, a usage chunk with no choices when asked, then `[DONE]`.
 * An error becomes `data: {"error":…}` (which the OpenAI SDKs raise) followed by `[DONE]`.
 */
export function createChatStreamEncoder(opts: { includeUsage: boolean; model: string }): StreamEncoder {
  let id = '';
  const created = Math.floor(Date.now() / 1000);
  let closed = false;
  const toolIndexes = new Map<number, number>();

  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string =>
    sseFrame({
      id,
      object: 'chat.completion.chunk',
      created,
      model: opts.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });

  const open = (upstreamId?: string): string => {
    if (id !== '') return '';
    id = upstreamId === undefined ? newId('chatcmpl', '-') : idFor(upstreamId, 'chatcmpl', '-');
    return chunk({ role: 'assistant', content: '', refusal: null });
  };

  const push = (e: IrEvent): string => {
    if (closed) return '';
    if (e.type === 'start') return open(e.id);
    const head = open();
    switch (e.type) {
      case 'text':
        return e.delta === '' ? head : head + chunk({ content: e.delta });
      case 'tool_call_start': {
        const index = toolIndexes.size;
        toolIndexes.set(e.index, index);
        const call = { index, id: e.id, type: 'function', function: { name: e.name, arguments: '' } };
        return head + chunk({ tool_calls: [call] });
      }
      case 'tool_call_args': {
        const index = toolIndexes.get(e.index);
        if (index === undefined || e.delta === '') return head;
        return head + chunk({ tool_calls: [{ index, function: { arguments: e.delta } }] });
      }
      case 'done': {
        closed = true;
        let out = head + chunk({}, chatFinishReason(e.stopReason));
        if (opts.includeUsage) {
          out += sseFrame({
            id,
            object: 'chat.completion.chunk',
            created,
            model: opts.model,
            system_fingerprint: null,
            choices: [],
            usage: chatUsage(e.usage),
          });
        }
        return `${out}data: [DONE]\n\n`;
      }
      case 'error':
        closed = true;
        return `${sseFrame({ error: { message: e.message, type: 'api_error', param: null, code: e.code } })}data: [DONE]\n\n`;
    }
  };

  return { push, end: () => (closed ? '' : push(UNFINISHED)) };
}
