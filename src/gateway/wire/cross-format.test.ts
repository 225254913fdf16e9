import { describe, expect, it } from 'vitest';
import { buildMessage, MessagesRequestSchema } from '../../emulator/anthropic-messages.js';
import { parseChatRequest } from '../formats/chat.js';
import { createChatStreamEncoder } from '../formats/chat-stream.js';
import { parseMessagesRequest } from '../formats/messages.js';
import { createResponsesStreamEncoder } from '../formats/responses-stream.js';
import { buildMessagesBody, parseMessagesStream } from './anthropic-messages.js';
import { buildCodexBody } from './openai-responses.js';
import { parseSse } from './sse.js';

const noDrop = (_field: string): void => {};

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

const chatWithTools = {
  model: 'chain:default',
  messages: [
    { role: 'system', content: 'You are an agent.' },
    { role: 'user', content: 'What is the weather in Paris?' },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'call_abc', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_abc', content: '18C' },
    { role: 'user', content: 'Now use tool for Oslo.' },
  ],
  tools: [
    {
      type: 'function',
      function: {
        name: 'weather',
        description: 'Weather by city',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    },
  ],
  tool_choice: 'auto',
  max_tokens: 300,
  stream: true,
  reasoning: null,
  parallelToolCalls: null,
  cache: { key: null, requested: false },
  dropped: [],
};

describe('across formats', () => {
  it('turns a chat request with tools into an Anthropic OAuth body', () => {
    const body = buildMessagesBody(parseChatRequest(chatWithTools), 'claude-sonnet-4-5', noDrop);
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      stream: true,
      system: 'You are an agent.',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'call_abc', name: 'weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_abc', content: '18C' },
            { type: 'text', text: 'Now use tool for Oslo.' },
          ],
        },
      ],
      tools: [
        {
          name: 'weather',
          description: 'Weather by city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      tool_choice: { type: 'auto' },
    });
  });

  it('streams an Anthropic tool_use answer to a chat client as chunks', async () => {
    const ask = {
      ...chatWithTools,
      messages: [...chatWithTools.messages.slice(0, 2), { role: 'user', content: 'use tool' }],
    };
    const body = buildMessagesBody(parseChatRequest(ask), 'claude-sonnet-4-5', noDrop);
    const { events } = buildMessage(MessagesRequestSchema.parse(body));
    const upstream = events
      .map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      .join('');
    const encoder = createChatStreamEncoder({ includeUsage: true, model: 'chain:default' });
    let out = '';
    for await (const e of parseMessagesStream(parseSse(once(upstream)))) out += encoder.push(e);
    out += encoder.end();
    const chunks = out
      .split('\n\n')
      .filter(Boolean)
      .map((f) => f.slice(6));
    expect(chunks.at(-1)).toBe('[DONE]');
    const parsed = chunks.slice(0, -1).map((c) => JSON.parse(c) as Record<string, unknown>);
    expect(parsed.map((c) => (c.choices as { delta: unknown; finish_reason: unknown }[])[0] ?? null)).toEqual(
      [
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: expect.stringMatching(/^toolu_/),
                type: 'function',
                function: { name: 'weather', arguments: '' },
              },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, function: { arguments: '{}' } }] },
          logprobs: null,
          finish_reason: null,
        },
        { index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' },
        null,
      ],
    );
    expect(parsed.at(-1)).toMatchObject({ model: 'chain:default', usage: { completion_tokens: 1 } });
  });

  it('carries a Claude Code transcript to the Codex backend and its answer back as Responses events', () => {
    const ir = parseMessagesRequest({
      model: 'chain:x',
      max_tokens: 100,
      system: 'Sys.',
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'ls', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a' }] },
      ],
      tools: [{ name: 'ls', input_schema: { type: 'object' } }],
    });
    expect(buildCodexBody(ir, 'gpt-5', noDrop)).toMatchObject({
      instructions: 'Sys.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'go' }] },
        { type: 'function_call', call_id: 'toolu_1', name: 'ls', arguments: '{}' },
        { type: 'function_call_output', call_id: 'toolu_1', output: 'a' },
      ],
      tools: [{ type: 'function', name: 'ls', description: '', parameters: { type: 'object' } }],
    });
    const encoder = createResponsesStreamEncoder({ model: 'chain:x' });
    const sse = encoder.push({ type: 'text', delta: 'hi' });
    expect(sse).toMatch(/^event: response.created\n/);
  });
});
