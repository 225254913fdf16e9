import { describe, expect, it } from 'vitest';
import { buildChatCompletion, ChatRequestSchema } from '../../emulator/chat-completions.js';
import type { SseEvent } from '../../emulator/sse.js';
import { collectResponse } from '../formats/collect.js';
import type { IrEvent, IrRequest } from '../formats/ir.js';
import { buildChatBody, parseChatStream } from './openai-chat.js';
import { parseSse, type SseMessage } from './sse.js';

const ir: IrRequest = {
  model: 'chain:x',
  system: 'Be brief.',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'look: ' },
        { type: 'image', url: 'https://x/y.png' },
      ],
    },
    { role: 'assistant', content: [], toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"a"}' }] },
    { role: 'tool', toolCallId: 'call_1', name: 'lookup', content: 'found', isError: false },
    { role: 'assistant', content: [{ type: 'text', text: 'ok' }], toolCalls: [] },
    { role: 'user', content: [{ type: 'text', text: 'please use tool again' }] },
  ],
  tools: [{ name: 'lookup', description: null, parameters: { type: 'object', properties: {} } }],
  toolChoice: 'auto',
  maxTokens: 100,
  temperature: 0,
  topP: null,
  stop: ['X'],
  stream: false,
  reasoning: null,
  parallelToolCalls: null,
  cache: { key: null, requested: false },
  dropped: [],
};

function sseText(events: readonly SseEvent[]): string {
  return events
    .map(({ event, data }) => {
      const payload = typeof data === 'string' ? data : JSON.stringify(data);
      return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
    })
    .join('');
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function all(events: AsyncIterable<IrEvent>): Promise<IrEvent[]> {
  const out: IrEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const parseText = (text: string) => all(parseChatStream(parseSse(once(text))));

describe('buildChatBody', () => {
  it('writes a streaming chat body that asks for usage', () => {
    expect(buildChatBody(ir, 'gpt-4.1')).toEqual({
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look: ' },
            { type: 'image_url', image_url: { url: 'https://x/y.png' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'found' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'please use tool again' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      tools: [
        { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: 'auto',
      max_completion_tokens: 100,
      temperature: 0,
      stop: ['X'],
    });
    expect(buildChatBody(ir, 'm', { maxTokensField: 'max_tokens' })).toMatchObject({ max_tokens: 100 });
    const bare = buildChatBody({ ...ir, tools: [], maxTokens: null, temperature: null, stop: [] }, 'm');
    expect(Object.keys(bare).sort()).toEqual(['messages', 'model', 'stream', 'stream_options']);
  });
});

describe('parseChatStream', () => {
  it('reads the emulator stream of a tool call, usage chunk and [DONE]', async () => {
    const { chunks } = buildChatCompletion(ChatRequestSchema.parse(buildChatBody(ir, 'gpt-4.1')));
    const events = await parseText(sseText(chunks));
    expect(events[0]).toMatchObject({ type: 'start', model: 'gpt-4.1' });
    expect(events.slice(1)).toEqual([
      { type: 'tool_call_start', index: 0, id: expect.stringMatching(/^call_/), name: 'lookup' },
      { type: 'tool_call_args', index: 0, delta: '{}' },
      { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: expect.any(Number), outputTokens: 1 } },
    ]);
  });

  it('reads the emulator stream of a text answer', async () => {
    const body = buildChatBody({ ...ir, tools: [] }, 'gpt-4.1');
    const { chunks } = buildChatCompletion(ChatRequestSchema.parse(body));
    const r = await collectResponse(parseChatStream(parseSse(once(sseText(chunks)))));
    expect(r).toMatchObject({ text: 'emulated openai reply to: please use tool again', stopReason: 'stop' });
    expect(r.usage.inputTokens).toBeGreaterThan(0);
  });

  it('maps tool call indexes to ordinals and upgrades a stop that carried tool calls', async () => {
    const chunk = (delta: unknown, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const text =
      chunk({ tool_calls: [{ index: 3, id: 'a', function: { name: 'f', arguments: '' } }] }) +
      chunk({ tool_calls: [{ index: 3, function: { arguments: '{}' } }] }) +
      chunk({}, 'stop') +
      'data: [DONE]\n\n';
    expect(await parseText(text)).toEqual([
      { type: 'start', id: 'c', model: 'm' },
      { type: 'tool_call_start', index: 0, id: 'a', name: 'f' },
      { type: 'tool_call_args', index: 0, delta: '{}' },
      { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
  });

  it('turns error bodies, malformed data, early ends and transport failures into one error event', async () => {
    const error = await parseText(
      'data: {"error":{"message":"Rate limit","type":"requests","code":"rate_limit_exceeded"}}\n\ndata: [DONE]\n\n',
    );
    expect(error).toEqual([{ type: 'error', code: 'rate_limit_exceeded', message: 'Rate limit' }]);
    expect(await parseText('data: {"id":\n\n')).toMatchObject([{ type: 'error', code: 'stream_malformed' }]);
    const early = await parseText(
      `data: ${JSON.stringify({ id: 'c', choices: [{ delta: { content: 'hi' } }] })}\n\n`,
    );
    expect(early.at(-1)).toMatchObject({ type: 'error', code: 'stream_incomplete' });
    async function* broken(): AsyncGenerator<SseMessage> {
      yield { event: null, data: JSON.stringify({ id: 'c', choices: [{ delta: { content: 'hi' } }] }) };
      throw new Error('other side closed');
    }
    expect((await all(parseChatStream(broken()))).at(-1)).toEqual({
      type: 'error',
      code: 'stream_failed',
      message: 'upstream stream failed: other side closed',
    });
  });

  it('accepts a stream that finished but never sent [DONE]', async () => {
    const text = `data: ${JSON.stringify({ id: 'c', choices: [{ delta: { content: 'hi' }, finish_reason: 'length' }] })}\n\n`;
    expect((await parseText(text)).at(-1)).toMatchObject({ type: 'done', stopReason: 'length' });
  });
});
