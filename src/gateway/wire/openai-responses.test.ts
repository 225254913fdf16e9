import { describe, expect, it } from 'vitest';
import { buildResponse, ResponsesRequestSchema } from '../../emulator/responses-api.js';
import type { SseEvent } from '../../emulator/sse.js';
import type { IrEvent, IrRequest } from '../formats/ir.js';
import { buildCodexBody, DEFAULT_CODEX_INSTRUCTIONS, parseResponsesStream } from './openai-responses.js';
import { parseSse } from './sse.js';

const noDrop = (_field: string): void => {};

const ir: IrRequest = {
  model: 'chain:codex',
  system: 'You are a coding agent.',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'hi' },
        { type: 'image', url: 'data:image/png;base64,AA==' },
      ],
    },
    {
      role: 'assistant',
      content: [{ type: 'text', text: 'Running.' }],
      toolCalls: [{ id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}' }],
    },
    { role: 'tool', toolCallId: 'call_1', name: 'shell', content: 'a b', isError: false },
    { role: 'user', content: [{ type: 'text', text: 'now use tool' }] },
  ],
  tools: [{ name: 'shell', description: 'Runs', parameters: { type: 'object', properties: {} } }],
  toolChoice: { name: 'shell' },
  maxTokens: 500,
  temperature: 0.3,
  topP: 0.5,
  stop: ['x'],
  stream: true,
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
  for await (const e of parseResponsesStream(parseSse(once(text)))) out.push(e);
  return out;
}

const frame = (data: Record<string, unknown>) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const created = frame({ type: 'response.created', response: { id: 'resp_1', model: 'gpt-5', output: [] } });

describe('buildCodexBody', () => {
  it('writes the stateless streamed body the Codex backend takes', () => {
    expect(buildCodexBody(ir, 'gpt-5', noDrop)).toEqual({
      model: 'gpt-5',
      instructions: 'You are a coding agent.',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'hi' },
            { type: 'input_image', image_url: 'data:image/png;base64,AA==', detail: 'auto' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'a b' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'now use tool' }] },
      ],
      tools: [
        {
          type: 'function',
          name: 'shell',
          description: 'Runs',
          parameters: { type: 'object', properties: {} },
          strict: false,
        },
      ],
      tool_choice: { type: 'function', name: 'shell' },
      parallel_tool_calls: false,
      store: false,
      stream: true,
      include: [],
    });
    expect(buildCodexBody({ ...ir, system: null }, 'gpt-5', noDrop).instructions).toBe(
      DEFAULT_CODEX_INSTRUCTIONS,
    );
    const withTurn = {
      ...ir,
      system: null,
      messages: [...ir.messages, { role: 'system' as const, text: 'rule' }],
    };
    expect(buildCodexBody(withTurn, 'gpt-5', noDrop)).not.toHaveProperty('instructions');
  });
});

describe('parseResponsesStream', () => {
  it('reads the emulator stream of a function call', async () => {
    const { events } = buildResponse(
      'openai-codex',
      ResponsesRequestSchema.parse(buildCodexBody(ir, 'gpt-5', noDrop)),
    );
    expect(await parseText(sseText(events))).toEqual([
      { type: 'start', id: expect.stringMatching(/^resp_/), model: 'gpt-5' },
      { type: 'tool_call_start', index: 0, id: expect.stringMatching(/^call_/), name: 'shell' },
      { type: 'tool_call_args', index: 0, delta: '{}' },
      { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: expect.any(Number), outputTokens: 1 } },
    ]);
  });

  it('reads the emulator stream of a text answer', async () => {
    const body = buildCodexBody({ ...ir, tools: [], toolChoice: 'auto' }, 'gpt-5', noDrop);
    const { events } = buildResponse('openai-codex', ResponsesRequestSchema.parse(body));
    const out = await parseText(sseText(events));
    const text = out.flatMap((e) => (e.type === 'text' ? [e.delta] : [])).join('');
    expect(text).toBe('emulated openai-codex reply to: now use tool');
    expect(out.at(-1)).toMatchObject({ type: 'done', stopReason: 'stop' });
  });

  it('takes text and arguments from output_item.done when no deltas came', async () => {
    const text =
      created +
      frame({
        type: 'response.output_item.done',
        output_index: 0,
        item: { type: 'message', content: [{ type: 'output_text', text: 'whole' }] },
      }) +
      frame({
        type: 'response.output_item.done',
        output_index: 1,
        item: { type: 'function_call', call_id: 'c9', name: 'f', arguments: '{"a":1}' },
      }) +
      frame({ type: 'response.completed', response: { usage: { input_tokens: 5, output_tokens: 6 } } });
    expect((await parseText(text)).slice(1)).toEqual([
      { type: 'text', delta: 'whole' },
      { type: 'tool_call_start', index: 0, id: 'c9', name: 'f' },
      { type: 'tool_call_args', index: 0, delta: '{"a":1}' },
      { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: 5, outputTokens: 6 } },
    ]);
  });

  it('maps response.incomplete to a length stop', async () => {
    const text =
      created +
      frame({
        type: 'response.incomplete',
        response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: {} },
      });
    expect((await parseText(text)).at(-1)).toMatchObject({ type: 'done', stopReason: 'length' });
  });

  it('turns response.failed, error events and early ends into error events', async () => {
    const failed = frame({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'server_error', message: 'boom' } },
    });
    expect((await parseText(created + failed)).at(-1)).toEqual({
      type: 'error',
      code: 'server_error',
      message: 'boom',
    });
    const usage = frame({ type: 'error', code: 'usage_limit_reached', message: 'limit', param: null });
    expect((await parseText(created + usage)).at(-1)).toEqual({
      type: 'error',
      code: 'usage_limit_reached',
      message: 'limit',
    });
    expect((await parseText(created)).at(-1)).toMatchObject({ type: 'error', code: 'stream_incomplete' });
    expect(await parseText('event: response.created\ndata: nope\n\n')).toMatchObject([
      { type: 'error', code: 'stream_malformed' },
    ]);
  });
});
