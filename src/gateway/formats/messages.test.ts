import { describe, expect, it } from 'vitest';
import { chunks, sseFrames as frames, type Json, usageError } from '../../../test/helpers/format-testing.js';
import { parseMessagesStream } from '../wire/anthropic-messages.js';
import { parseSse } from '../wire/sse.js';
import { collectResponse } from './collect.js';
import type { IrEvent, IrResponse } from './ir.js';
import { createMessagesStreamEncoder, formatMessagesResponse, parseMessagesRequest } from './messages.js';

const readTool = {
  name: 'read_file',
  description: 'Reads a file',
  input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

const claudeCodeBody = {
  model: 'anthropic/claude-sonnet-4-5',
  max_tokens: 8192,
  system: [
    { type: 'text', text: 'You are a coding agent in the terminal.' },
    { type: 'text', text: 'Be careful.', cache_control: { type: 'ephemeral' } },
  ],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'What is in notes.md? ' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'text', text: 'Reading it.' },
        { type: 'tool_use', id: 'toolu_01', name: 'read_file', input: { path: 'notes.md' } },
      ],
    },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_01',
          content: [
            { type: 'text', text: '# Notes' },
            { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
          ],
        },
        { type: 'text', text: 'Summarize.' },
      ],
    },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_02', name: 'read_file', input: { path: 'missing.md' } }],
    },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_02', content: 'ENOENT', is_error: true }],
    },
  ],
  tools: [readTool],
  tool_choice: { type: 'any' },
  temperature: 0.5,
  stop_sequences: ['\n\nHuman:'],
  stream: true,
};

const toolAnswer: IrEvent[] = [
  { type: 'start', id: 'resp_up', model: 'gpt-x' },
  { type: 'text', delta: 'Let me ' },
  { type: 'text', delta: 'look.' },
  { type: 'tool_call_start', index: 0, id: 'call_1', name: 'read_file' },
  { type: 'tool_call_args', index: 0, delta: '{"path":' },
  { type: 'tool_call_args', index: 0, delta: '"a.md"}' },
  { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: 80, outputTokens: 12 } },
];

function encode(list: readonly IrEvent[]): string {
  const encoder = createMessagesStreamEncoder({ model: 'claude-test' });
  return list.map((e) => encoder.push(e)).join('') + encoder.end();
}

/** What @anthropic-ai/sdk's MessageStream does with our events, with its assumptions asserted. */
function replayLikeSdk(sse: string): Json {
  let message: { content: Json[] } & Json = { content: [] };
  const json = new Map<number, string>();
  for (const { event, data } of frames(sse)) {
    expect(data.type).toBe(event);
    const index = data.index as number;
    switch (event) {
      case 'message_start':
        message = structuredClone(data.message) as typeof message;
        expect(message.content).toEqual([]);
        break;
      case 'content_block_start':
        expect(index).toBe(message.content.length);
        message.content.push(structuredClone(data.content_block) as Json);
        break;
      case 'content_block_delta': {
        const block = message.content[index] as Json;
        const delta = data.delta as Json;
        if (delta.type === 'text_delta') {
          expect(block.type).toBe('text');
          block.text = `${block.text}${delta.text}`;
        } else {
          expect(block.type).toBe('tool_use');
          json.set(index, (json.get(index) ?? '') + String(delta.partial_json));
        }
        break;
      }
      case 'content_block_stop': {
        const text = json.get(index);
        if (text !== undefined) (message.content[index] as Json).input = JSON.parse(text);
        break;
      }
      case 'message_delta':
        message.stop_reason = (data.delta as Json).stop_reason;
        message.usage = { ...(message.usage as Json), ...(data.usage as Json) };
        break;
    }
  }
  return message;
}

describe('parseMessagesRequest', () => {
  it('reads a Claude Code turn with images, thinking, tool uses and tool results', () => {
    expect(parseMessagesRequest(claudeCodeBody)).toEqual({
      reasoning: null,
      parallelToolCalls: null,
      cache: { key: null, requested: true },
      dropped: ['content[type=thinking]'],
      model: 'anthropic/claude-sonnet-4-5',
      system: 'You are a coding agent in the terminal.\n\nBe careful.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in notes.md? ' },
            { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=' },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'text', text: 'Reading it.' }],
          toolCalls: [{ id: 'toolu_01', name: 'read_file', arguments: '{"path":"notes.md"}' }],
        },
        {
          role: 'tool',
          toolCallId: 'toolu_01',
          name: 'read_file',
          content: '# Notes[image omitted]',
          isError: false,
        },
        { role: 'user', content: [{ type: 'text', text: 'Summarize.' }] },
        {
          role: 'assistant',
          content: [],
          toolCalls: [{ id: 'toolu_02', name: 'read_file', arguments: '{"path":"missing.md"}' }],
        },
        { role: 'tool', toolCallId: 'toolu_02', name: 'read_file', content: 'ENOENT', isError: true },
      ],
      tools: [{ name: 'read_file', description: 'Reads a file', parameters: readTool.input_schema }],
      toolChoice: 'required',
      maxTokens: 8192,
      temperature: 0.5,
      topP: null,
      stop: ['\n\nHuman:'],
      stream: true,
    });
  });

  it('maps every tool_choice and a string system', () => {
    const base = { model: 'm', max_tokens: 1, system: 'sys', messages: [{ role: 'user', content: 'hi' }] };
    expect(parseMessagesRequest(base)).toMatchObject({ system: 'sys', toolChoice: 'auto', stream: false });
    const choice = (tool_choice: Json) => parseMessagesRequest({ ...base, tool_choice }).toolChoice;
    expect(choice({ type: 'auto' })).toBe('auto');
    expect(choice({ type: 'none' })).toBe('none');
    expect(choice({ type: 'tool', name: 'read_file' })).toEqual({ name: 'read_file' });
  });

  it('names the bad field in its errors', () => {
    const base = { model: 'm', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
    expect(usageError(() => parseMessagesRequest({ ...base, max_tokens: undefined }))).toBe(
      'max_tokens: required (number)',
    );
    const doc = {
      role: 'user',
      content: [
        { type: 'text', text: 'a' },
        { type: 'document', source: {} },
      ],
    };
    expect(parseMessagesRequest({ ...base, messages: [doc] }).dropped).toEqual(['content[type=document]']);
    const badImage = { role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] };
    expect(usageError(() => parseMessagesRequest({ ...base, messages: [badImage] }))).toBe(
      'messages[0].content[0].source.type: expected "base64" | "url"',
    );
    expect(usageError(() => parseMessagesRequest({ ...base, tools: [{ name: 'x' }] }))).toBe(
      'tools[0].input_schema: required (record)',
    );
    expect(usageError(() => parseMessagesRequest({ ...base, tool_choice: { type: 'tool' } }))).toBe(
      'tool_choice.name: required (string)',
    );
  });
});

describe('formatMessagesResponse', () => {
  it('writes text and tool_use blocks with the stop reason and usage', () => {
    const r: IrResponse = {
      id: 'chatcmpl-up',
      model: 'claude-test',
      text: 'Let me look.',
      toolCalls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"a.md"}' }],
      stopReason: 'tool_calls',
      usage: { inputTokens: 9, outputTokens: 4 },
    };
    const body = formatMessagesResponse(r);
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'a.md' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 9, output_tokens: 4 },
    });
    expect(String(body.id)).toMatch(/^msg_/);
    expect(formatMessagesResponse({ ...r, stopReason: 'length' }).stop_reason).toBe('max_tokens');
    expect(formatMessagesResponse({ ...r, stopReason: 'stop' }).stop_reason).toBe('end_turn');
  });
});

describe('createMessagesStreamEncoder', () => {
  it('streams blocks the SDK accumulates and that read back to the same answer', async () => {
    const sse = encode(toolAnswer);
    expect(frames(sse).map((f) => f.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(replayLikeSdk(sse)).toMatchObject({
      model: 'claude-test',
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'a.md' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 80, output_tokens: 12 },
    });
    const back = await collectResponse(parseMessagesStream(parseSse(chunks(sse))));
    expect(back).toMatchObject({
      text: 'Let me look.',
      toolCalls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"a.md"}' }],
      stopReason: 'tool_calls',
      usage: { inputTokens: 80, outputTokens: 12 },
    });
  });

  it('turns an error into Anthropic error events', async () => {
    const sse = encode([
      { type: 'text', delta: 'x' },
      { type: 'error', code: 'overloaded_error', message: 'Overloaded' },
    ]);
    expect(frames(sse).at(-1)).toEqual({
      event: 'error',
      data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
    const other = encode([{ type: 'error', code: 'stream_incomplete', message: 'cut' }]);
    expect(frames(other).at(-1)?.data).toEqual({
      type: 'error',
      error: { type: 'api_error', message: 'cut [stream_incomplete]' },
    });
    await expect(collectResponse(parseMessagesStream(parseSse(chunks(sse))))).rejects.toMatchObject({
      details: { upstreamCode: 'overloaded_error' },
    });
  });

  it('ends an unfinished stream as an error', () => {
    const encoder = createMessagesStreamEncoder({ model: 'm' });
    const sse = encoder.push({ type: 'text', delta: 'cut' }) + encoder.end();
    expect(frames(sse).at(-1)?.event).toBe('error');
  });
});
