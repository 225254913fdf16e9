import { idFor, newId } from './ids.js';
import type { IrEvent } from './ir.js';
import { anthropicStopReason } from './messages-response.js';
import { sseFrame } from './sse-frame.js';
import { type StreamEncoder, UNFINISHED } from './stream-encoder.js';

/** Anthropic's error types; any other code travels as `api_error` with the code in the message. */
const ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
]);

/** Anthropic's error envelope for a neutral error code and message. */
export function anthropicError(code: string, message: string): Record<string, unknown> {
  const type = ERROR_TYPES.has(code) ? code : 'api_error';
  return { type: 'error', error: { type, message: type === code ? message : `${message} [${code}]` } };
}

/**
 * Encodes events as the Messages API streams them: message_start, then content blocks
 * (content_block_start / content_block_delta with text_delta or input_json_delta /
 * content_block_stop), message_delta with the stop reason and usage, message_stop.
 * An error becomes `event: error` with Anthropic's error envelope, which the SDK raises.
 */
export function createMessagesStreamEncoder(opts: { model: string }): StreamEncoder {
  let started = false;
  let closed = false;
  let blocks = 0;
  let open: { index: number; kind: 'text' | 'tool' } | null = null;
  const toolBlocks = new Map<number, number>();

  const emit = (type: string, data: Record<string, unknown>): string => sseFrame({ type, ...data }, type);

  const start = (upstreamId?: string): string => {
    if (started) return '';
    started = true;
    const message = {
      id: upstreamId === undefined ? newId('msg') : idFor(upstreamId, 'msg'),
      type: 'message',
      role: 'assistant',
      model: opts.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    };
    return emit('message_start', { message });
  };

  const closeBlock = (): string => {
    if (!open) return '';
    const index = open.index;
    open = null;
    return emit('content_block_stop', { index });
  };

  const openBlock = (kind: 'text' | 'tool', contentBlock: Record<string, unknown>): string => {
    const out = closeBlock();
    open = { index: blocks++, kind };
    return out + emit('content_block_start', { index: open.index, content_block: contentBlock });
  };

  const push = (e: IrEvent): string => {
    if (closed) return '';
    if (e.type === 'start') return start(e.id);
    let out = start();
    switch (e.type) {
      case 'text': {
        if (e.delta === '') return out;
        if (open?.kind !== 'text') out += openBlock('text', { type: 'text', text: '' });
        const index = open?.index ?? 0;
        return out + emit('content_block_delta', { index, delta: { type: 'text_delta', text: e.delta } });
      }
      case 'tool_call_start':
        out += openBlock('tool', { type: 'tool_use', id: e.id, name: e.name, input: {} });
        toolBlocks.set(e.index, open?.index ?? 0);
        return out;
      case 'tool_call_args': {
        const index = toolBlocks.get(e.index);
        if (index === undefined || e.delta === '') return out;
        return (
          out +
          emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: e.delta } })
        );
      }
      case 'done':
        closed = true;
        return (
          out +
          closeBlock() +
          emit('message_delta', {
            delta: { stop_reason: anthropicStopReason(e.stopReason), stop_sequence: null },
            usage: { input_tokens: e.usage.inputTokens, output_tokens: e.usage.outputTokens },
          }) +
          emit('message_stop', {})
        );
      case 'error':
        closed = true;
        return out + sseFrame(anthropicError(e.code, e.message), 'error');
    }
  };

  return { push, end: () => (closed ? '' : push(UNFINISHED)) };
}
