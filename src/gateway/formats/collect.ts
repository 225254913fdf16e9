import { ClawkeepError } from '../../errors.js';
import type { IrEvent, IrResponse, IrToolCall } from './ir.js';

/**
 * Collects a stream of events into one whole answer. Throws `ClawkeepError('upstream_error')` when
 * the stream ends in `error` (its code and message kept in the error's details) or without `done`.
 */
export async function collectResponse(events: AsyncIterable<IrEvent>): Promise<IrResponse> {
  let id = '';
  let model = '';
  let text = '';
  const calls = new Map<number, IrToolCall>();
  for await (const e of events) {
    switch (e.type) {
      case 'start':
        id = e.id;
        model = e.model;
        break;
      case 'text':
        text += e.delta;
        break;
      case 'tool_call_start':
        calls.set(e.index, { id: e.id, name: e.name, arguments: '' });
        break;
      case 'tool_call_args': {
        const call = calls.get(e.index);
        if (call) call.arguments += e.delta;
        break;
      }
      case 'done':
        return { id, model, text, toolCalls: [...calls.values()], stopReason: e.stopReason, usage: e.usage };
      case 'error':
        throw new ClawkeepError('upstream_error', e.message, { details: { upstreamCode: e.code } });
    }
  }
  throw new ClawkeepError('upstream_error', 'the upstream stream ended before the answer was complete');
}
