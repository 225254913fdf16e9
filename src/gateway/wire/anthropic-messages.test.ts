import { describe, expect, it } from 'vitest';
import { buildMessage, MessagesRequestSchema } from '../../emulator/anthropic-messages.js';
import type { SseEvent } from '../../emulator/sse.js';
import type { IrEvent, IrRequest } from '../formats/ir.js';
import { buildMessagesBody, parseMessagesStream } from './anthropic-messages.js';
import { parseSse } from './sse.js';

const noDrop = (_field: string): void => {};

const ir: IrRequest = {
  model: 'chain:claude',
  system: 'Be careful.',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'hi' },
        { type: 'image', url: 'data:image/jpeg;base64,/9j/' },
      ],
    },
    {
      role: 'assistant',
      content: [{ type: 'text', text: '' }],
      toolCalls: [
        { id: 'call.1', name: 'read', arguments: '{"path":"a"}' },
        { id: 'call_2', name: 'read', arguments: '' },
      ],
    },
    { role: 'tool', toolCallId: 'call.1', name: 'read', content: 'A', isError: false },
    { role: 'tool', toolCallId: 'call_2', name: 'read', content: '', isError: true },
    {
      role: 'user',
      content: [
        { type: 'image', url: 'https://x/y.png' },
        { type: 'text', text: 'use tool' },
      ],
    },
  ],
  tools: [{ name: 'read', description: 'Reads', parameters: { type: 'object', properties: {} } }],
  toolChoice: 'required',
  maxTokens: null,
  temperature: 0.7,
  topP: 0.9,
  stop: ['STOP'],
  stream: false,
  reasoning: null,
  parallelToolCalls: null,
  cache: { key: null, requested: false },
  dropped: [],
};

function sseText(events: readonly SseEvent[]): string {
  return events.map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

async function parseText(text: string): Promise<IrEvent[]> {
  const out: IrEvent[] = [];
  for await (const e of parseMessagesStream(parseSse(once(text)))) out.push(e);
  return out;
}

const frame = (data: Record<string, unknown>) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

describe('buildMessagesBody', () => {
  it('writes Anthropic turns: merged tool results first, safe tool ids, defaults', () => {
    expect(buildMessagesBody(ir, 'claude-sonnet-4-5', noDrop)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      stream: true,
      system: 'Be careful.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_1', name: 'read', input: { path: 'a' } },
            { type: 'tool_use', id: 'call_2', name: 'read', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: 'A' },
            { type: 'tool_result', tool_use_id: 'call_2', is_error: true },
            { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
            { type: 'text', text: 'use tool' },
          ],
        },
      ],
      tools: [{ name: 'read', description: 'Reads', input_schema: { type: 'object', properties: {} } }],
      tool_choice: { type: 'any' },
      temperature: 0.7,
      stop_sequences: ['STOP'],
    });
  });

  it('adds nothing the client did not send: no other client identity, plain system text', () => {
    const body = buildMessagesBody(ir, 'm', noDrop);
    expect(body.system).toBe('Be careful.');
    expect(JSON.stringify(body)).not.toMatch(/Claude Code/);
    expect(buildMessagesBody({ ...ir, system: null }, 'm', noDrop)).not.toHaveProperty('system');
  });

  it('maps reasoning effort to a thinking budget below max_tokens and drops sampling knobs loudly', () => {
    const dropped: string[] = [];
    const body = buildMessagesBody(
      { ...ir, maxTokens: null, reasoning: { effort: 'high', budgetTokens: null } },
      'm',
      (f) => dropped.push(f),
    );
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 24_000 });
    expect(body.max_tokens).toBeGreaterThan(24_000);
    expect(body).not.toHaveProperty('temperature');
    expect(dropped).toEqual(['temperature', 'top_p']);
    const tight = buildMessagesBody(
      { ...ir, maxTokens: 2000, reasoning: { effort: 'high', budgetTokens: null } },
      'm',
      noDrop,
    );
    expect(tight.thinking).toEqual({ type: 'enabled', budget_tokens: 1999 });
    const none: string[] = [];
    buildMessagesBody({ ...ir, maxTokens: 500, reasoning: { effort: 'low', budgetTokens: null } }, 'm', (f) =>
      none.push(f),
    );
    expect(none).toContain('reasoning');
  });

  it('carries cache intent, parallel tool calls and system turns from inside the conversation', () => {
    const body = buildMessagesBody(
      {
        ...ir,
        cache: { key: 'conv-1', requested: true },
        parallelToolCalls: false,
        messages: [...ir.messages, { role: 'system', text: 'Later rule.' }],
      },
      'm',
      noDrop,
    );
    expect(body.system).toEqual([
      { type: 'text', text: 'Be careful.\n\nLater rule.', cache_control: { type: 'ephemeral' } },
    ]);
    expect((body.tools as Record<string, unknown>[]).at(-1)).toMatchObject({
      cache_control: { type: 'ephemeral' },
    });
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(body.metadata).toEqual({ user_id: 'conv-1' });
  });

  it('maps tool choices, keeps the client max_tokens and sends top_p only without temperature', () => {
    const body = (over: Partial<IrRequest>) => buildMessagesBody({ ...ir, ...over }, 'm', noDrop);
    expect(body({ toolChoice: 'auto' }).tool_choice).toEqual({ type: 'auto' });
    expect(body({ toolChoice: 'none' }).tool_choice).toEqual({ type: 'none' });
    expect(body({ toolChoice: { name: 'read' } }).tool_choice).toEqual({ type: 'tool', name: 'read' });
    expect(body({ tools: [] })).not.toHaveProperty('tool_choice');
    expect(body({ maxTokens: 99 }).max_tokens).toBe(99);
    expect(body({ temperature: null })).toMatchObject({ top_p: 0.9 });
  });
});

describe('parseMessagesStream', () => {
  it('reads the emulator stream of a tool use', async () => {
    const body = buildMessagesBody(ir, 'claude-sonnet-4-5', noDrop);
    const { events } = buildMessage(MessagesRequestSchema.parse(body));
    expect(await parseText(sseText(events))).toEqual([
      { type: 'start', id: expect.stringMatching(/^msg_/), model: 'claude-sonnet-4-5' },
      { type: 'tool_call_start', index: 0, id: expect.stringMatching(/^toolu_/), name: 'read' },
      { type: 'tool_call_args', index: 0, delta: '{}' },
      { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: expect.any(Number), outputTokens: 1 } },
    ]);
  });

  it('reads text and a tool use in later blocks, counting cached input', async () => {
    const text =
      frame({
        type: 'message_start',
        message: {
          id: 'msg_1',
          model: 'claude',
          content: [],
          usage: {
            input_tokens: 3,
            cache_read_input_tokens: 100,
            cache_creation_input_tokens: 10,
            output_tokens: 1,
          },
        },
      }) +
      frame({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }) +
      frame({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hm' } }) +
      frame({ type: 'content_block_stop', index: 0 }) +
      frame({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }) +
      frame({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Sure.' } }) +
      frame({ type: 'content_block_stop', index: 1 }) +
      frame({
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'toolu_9', name: 'f', input: {} },
      }) +
      frame({
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '' },
      }) +
      frame({
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '{"a":1}' },
      }) +
      frame({ type: 'content_block_stop', index: 2 }) +
      'event: ping\ndata: {"type": "ping"}\n\n' +
      frame({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 42 } }) +
      frame({ type: 'message_stop' });
    expect(await parseText(text)).toEqual([
      { type: 'start', id: 'msg_1', model: 'claude' },
      { type: 'text', delta: 'Sure.' },
      { type: 'tool_call_start', index: 0, id: 'toolu_9', name: 'f' },
      { type: 'tool_call_args', index: 0, delta: '{"a":1}' },
      { type: 'done', stopReason: 'length', usage: { inputTokens: 113, outputTokens: 42 } },
    ]);
  });

  it('turns error events and early ends into error events', async () => {
    const start = frame({ type: 'message_start', message: { id: 'msg_1', model: 'c', usage: {} } });
    const overloaded = frame({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect((await parseText(start + overloaded)).at(-1)).toEqual({
      type: 'error',
      code: 'overloaded_error',
      message: 'Overloaded',
    });
    expect((await parseText(start)).at(-1)).toMatchObject({ type: 'error', code: 'stream_incomplete' });
    const delta = frame({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 2 },
    });
    expect((await parseText(start + delta)).at(-1)).toMatchObject({ type: 'done', stopReason: 'stop' });
  });
});
