import { describe, expect, it } from 'vitest';
import { chunks, usageError } from '../../../test/helpers/format-testing.js';
import { parseChatStream } from '../wire/openai-chat.js';
import { parseSse } from '../wire/sse.js';
import { createChatStreamEncoder, formatChatResponse, parseChatRequest } from './chat.js';
import { collectResponse } from './collect.js';
import type { IrEvent, IrResponse } from './ir.js';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const agentBody = {
  model: 'chain:default',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'developer', content: [{ type: 'text', text: 'Prefer metric units.' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather in Paris? See ' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: '18°C, clear' },
    { role: 'assistant', content: 'It is 18°C and clear.' },
    { role: 'user', content: 'And tomorrow?' },
  ],
  tools: [weatherTool],
  tool_choice: { type: 'function', function: { name: 'get_weather' } },
  max_completion_tokens: 256,
  max_tokens: 999,
  temperature: 0.2,
  top_p: 0.9,
  stop: 'END',
  stream: true,
  stream_options: { include_usage: true },
};

async function* events(list: readonly IrEvent[]): AsyncGenerator<IrEvent> {
  yield* list;
}

/** Runs events through the chat encoder, then reads its SSE back as the upstream chat parser would. */
async function roundTrip(
  list: readonly IrEvent[],
  includeUsage = true,
): Promise<{ sse: string; back: IrResponse }> {
  const encoder = createChatStreamEncoder({ includeUsage, model: 'gpt-test' });
  const sse = list.map((e) => encoder.push(e)).join('') + encoder.end();
  return { sse, back: await collectResponse(parseChatStream(parseSse(chunks(sse)))) };
}

function dataLines(sse: string): unknown[] {
  return sse
    .split('\n\n')
    .filter((f) => f.startsWith('data: '))
    .map((f) => f.slice(6))
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
}

const toolAnswer: IrEvent[] = [
  { type: 'start', id: 'msg_upstream', model: 'claude-x' },
  { type: 'text', delta: 'Checking ' },
  { type: 'text', delta: 'both.' },
  { type: 'tool_call_start', index: 0, id: 'toolu_a', name: 'get_weather' },
  { type: 'tool_call_args', index: 0, delta: '{"city":' },
  { type: 'tool_call_args', index: 0, delta: '"Paris"}' },
  { type: 'tool_call_start', index: 1, id: 'toolu_b', name: 'get_weather' },
  { type: 'tool_call_args', index: 1, delta: '{"city":"Oslo"}' },
  { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: 120, outputTokens: 33 } },
];

describe('parseChatRequest', () => {
  it('reads a realistic agent turn with tools and tool results', () => {
    const ir = parseChatRequest(agentBody);
    expect(ir).toEqual({
      reasoning: null,
      parallelToolCalls: null,
      cache: { key: null, requested: false },
      dropped: [],
      model: 'chain:default',
      system: 'You are terse.\n\nPrefer metric units.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather in Paris? See ' },
            { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
          ],
        },
        {
          role: 'assistant',
          content: [],
          toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        },
        { role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: '18°C, clear', isError: false },
        { role: 'assistant', content: [{ type: 'text', text: 'It is 18°C and clear.' }], toolCalls: [] },
        { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
      ],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: weatherTool.function.parameters,
        },
      ],
      toolChoice: { name: 'get_weather' },
      maxTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      stop: ['END'],
      stream: true,
      includeUsage: true,
    });
  });

  it('defaults what a minimal body leaves out', () => {
    const ir = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
    expect(ir).toMatchObject({
      system: null,
      tools: [],
      toolChoice: 'auto',
      maxTokens: 5,
      temperature: null,
      topP: null,
      stop: [],
      stream: false,
      includeUsage: false,
    });
  });

  it('names the bad field in its errors', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    expect(usageError(() => parseChatRequest({ messages: base.messages }))).toBe('model: required (string)');
    expect(usageError(() => parseChatRequest({ ...base, messages: [] }))).toMatch(/^messages: /);
    expect(usageError(() => parseChatRequest({ ...base, messages: [{ role: 'bot', content: 'x' }] }))).toBe(
      'messages[0].role: expected "system" | "developer" | "user" | "assistant" | "tool"',
    );
    const audio = { role: 'user', content: [{ type: 'input_audio', input_audio: {} }] };
    expect(usageError(() => parseChatRequest({ ...base, messages: [audio] }))).toBe(
      'messages[0].content[0].type: expected "text" | "image_url"',
    );
    expect(usageError(() => parseChatRequest({ ...base, messages: [{ role: 'tool', content: 'x' }] }))).toBe(
      'messages[0].tool_call_id: required (string)',
    );
    expect(parseChatRequest({ ...base, tools: [{ type: 'custom', name: 'x' }] }).dropped).toEqual([
      'tools[type=custom]',
    ]);
    expect(usageError(() => parseChatRequest({ ...base, max_tokens: 0 }))).toMatch(/^max_tokens: /);
    expect(usageError(() => parseChatRequest('nope'))).toBe('(body): expected object');
  });
});

describe('formatChatResponse', () => {
  it('writes a chat.completion with tool calls and usage', () => {
    const r: IrResponse = {
      id: 'resp_x',
      model: 'gpt-test',
      text: '',
      toolCalls: [{ id: 'call_9', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
      stopReason: 'tool_calls',
      usage: { inputTokens: 10, outputTokens: 4 },
    };
    const body = formatChatResponse(r);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-test',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_9',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
              },
            ],
          },
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
    });
    expect(String(body.id)).toMatch(/^chatcmpl-/);
  });

  it('maps every stop reason to a finish_reason', () => {
    const base = {
      id: 'chatcmpl-1',
      model: 'm',
      text: 'x',
      toolCalls: [],
      usage: { inputTokens: 1, outputTokens: 1 },
    };
    const finish = (stopReason: IrResponse['stopReason']) =>
      (formatChatResponse({ ...base, stopReason }).choices as { finish_reason: string }[])[0]?.finish_reason;
    expect(
      ['stop', 'length', 'tool_calls', 'content_filter', 'error'].map((s) => finish(s as never)),
    ).toEqual(['stop', 'length', 'tool_calls', 'content_filter', 'stop']);
  });
});

describe('createChatStreamEncoder', () => {
  it('streams text and parallel tool calls that read back to the same answer', async () => {
    const { sse, back } = await roundTrip(toolAnswer);
    expect(back).toMatchObject({
      text: 'Checking both.',
      toolCalls: [
        { id: 'toolu_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { id: 'toolu_b', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      ],
      stopReason: 'tool_calls',
      usage: { inputTokens: 120, outputTokens: 33 },
    });
    const data = dataLines(sse) as Record<string, unknown>[];
    expect(data.at(-1)).toBe('[DONE]');
    const [first, ...rest] = data as {
      choices: { delta: Record<string, unknown>; finish_reason: string }[];
    }[];
    expect(first?.choices[0]?.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(rest.some((c) => c.choices?.[0]?.finish_reason === 'tool_calls')).toBe(true);
    const usage = data.at(-2) as { choices: unknown[]; usage: unknown };
    expect(usage).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 120, completion_tokens: 33, total_tokens: 153 },
    });
    // What the OpenAI SDK's accumulator needs: one id and created for every chunk, a full first tool delta.
    const ids = new Set(data.slice(0, -1).map((c) => (c as { id: string }).id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-/);
    expect(sse).toContain(
      '"tool_calls":[{"index":1,"id":"toolu_b","type":"function","function":{"name":"get_weather","arguments":""}}]',
    );
  });

  it('leaves out the usage chunk unless asked', async () => {
    const { sse } = await roundTrip(toolAnswer, false);
    expect(dataLines(sse).some((c) => typeof c === 'object' && (c as { usage?: unknown }).usage)).toBe(false);
  });

  it('turns an error into an error body the SDKs raise, then [DONE], and ignores what follows', () => {
    const encoder = createChatStreamEncoder({ includeUsage: false, model: 'm' });
    const sse =
      encoder.push({ type: 'start', id: 'x', model: 'm' }) +
      encoder.push({ type: 'text', delta: 'par' }) +
      encoder.push({ type: 'error', code: 'overloaded_error', message: 'Overloaded' }) +
      encoder.push({ type: 'text', delta: 'late' }) +
      encoder.end();
    const data = dataLines(sse);
    expect(data.slice(-2)).toEqual([
      { error: { message: 'Overloaded', type: 'api_error', param: null, code: 'overloaded_error' } },
      '[DONE]',
    ]);
    expect(sse).not.toContain('late');
  });

  it('ends an unfinished stream as an error', async () => {
    const encoder = createChatStreamEncoder({ includeUsage: false, model: 'm' });
    const sse = encoder.push({ type: 'text', delta: 'cut' }) + encoder.end();
    await expect(collectResponse(parseChatStream(parseSse(chunks(sse))))).rejects.toMatchObject({
      code: 'upstream_error',
    });
    expect(encoder.end()).toBe('');
  });

  it('round-trips a collected answer through formatChatResponse', async () => {
    const r = await collectResponse(events(toolAnswer));
    const body = formatChatResponse(r) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('Checking both.');
  });
});
