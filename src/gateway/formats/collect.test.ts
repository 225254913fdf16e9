import { describe, expect, it } from 'vitest';
import { collectResponse } from './collect.js';
import type { IrEvent } from './ir.js';

async function* events(list: readonly IrEvent[]): AsyncGenerator<IrEvent> {
  yield* list;
}

describe('collectResponse', () => {
  it('assembles text and interleaved tool call arguments by index', async () => {
    const r = await collectResponse(
      events([
        { type: 'start', id: 'id1', model: 'm1' },
        { type: 'text', delta: 'a' },
        { type: 'tool_call_start', index: 0, id: 'c0', name: 'f' },
        { type: 'tool_call_start', index: 1, id: 'c1', name: 'g' },
        { type: 'tool_call_args', index: 1, delta: '{"y"' },
        { type: 'tool_call_args', index: 0, delta: '{}' },
        { type: 'tool_call_args', index: 1, delta: ':1}' },
        { type: 'text', delta: 'b' },
        { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: 3, outputTokens: 4 } },
      ]),
    );
    expect(r).toEqual({
      id: 'id1',
      model: 'm1',
      text: 'ab',
      toolCalls: [
        { id: 'c0', name: 'f', arguments: '{}' },
        { id: 'c1', name: 'g', arguments: '{"y":1}' },
      ],
      stopReason: 'tool_calls',
      usage: { inputTokens: 3, outputTokens: 4 },
    });
  });

  it('throws upstream_error for an error event, keeping its code', async () => {
    const run = collectResponse(events([{ type: 'error', code: 'overloaded_error', message: 'Overloaded' }]));
    await expect(run).rejects.toMatchObject({
      name: 'ClawkeepError',
      code: 'upstream_error',
      message: 'Overloaded',
      details: { upstreamCode: 'overloaded_error' },
    });
  });

  it('throws upstream_error when the stream stops without done', async () => {
    await expect(collectResponse(events([{ type: 'text', delta: 'x' }]))).rejects.toMatchObject({
      code: 'upstream_error',
    });
  });
});
