import { describe, expect, it } from 'vitest';
import { chunks, sseFrames as frames, type Json, usageError } from '../../../test/helpers/format-testing.js';
import { parseResponsesStream } from '../wire/openai-responses.js';
import { parseSse } from '../wire/sse.js';
import { collectResponse } from './collect.js';
import type { IrEvent, IrResponse } from './ir.js';
import { createResponsesStreamEncoder, formatResponsesResponse, parseResponsesRequest } from './responses.js';

const shellTool = {
  type: 'function',
  name: 'shell',
  description: 'Runs a command',
  parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
  strict: false,
};

const codexBody = {
  model: 'openai-codex/gpt-5',
  instructions: 'You are a coding agent.',
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Sandbox: read-only.' }] },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'List files, see ' },
        { type: 'input_image', image_url: 'https://example.com/shot.png', detail: 'auto' },
      ],
    },
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAA' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Listing.' }] },
    { type: 'function_call', call_id: 'call_ls', name: 'shell', arguments: '{"cmd":"ls"}' },
    { type: 'function_call_output', call_id: 'call_ls', output: 'a.txt\nb.txt' },
    { role: 'user', content: 'Thanks. Now count them.' },
  ],
  tools: [shellTool],
  tool_choice: 'required',
  max_output_tokens: 1000,
  temperature: 1,
  stream: true,
  store: false,
};

const toolAnswer: IrEvent[] = [
  { type: 'start', id: 'chatcmpl-up', model: 'gpt-x' },
  { type: 'text', delta: 'Running ' },
  { type: 'text', delta: 'it.' },
  { type: 'tool_call_start', index: 0, id: 'call_a', name: 'shell' },
  { type: 'tool_call_args', index: 0, delta: '{"cmd":' },
  { type: 'tool_call_args', index: 0, delta: '"wc -l"}' },
  { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: 50, outputTokens: 7 } },
];

function encode(list: readonly IrEvent[]): string {
  const encoder = createResponsesStreamEncoder({ model: 'gpt-test' });
  return list.map((e) => encoder.push(e)).join('') + encoder.end();
}

/** The checks the OpenAI SDK's response accumulator makes, applied to our stream. */
function replayLikeSdk(sse: string): Json {
  let snapshot: { output: Json[] } & Json = { output: [] };
  frames(sse).forEach(({ event, data }, i) => {
    expect(data.type).toBe(event);
    expect(data.sequence_number).toBe(i);
    const at = data.output_index as number;
    switch (event) {
      case 'response.created':
        expect(i).toBe(0);
        snapshot = structuredClone(data.response) as typeof snapshot;
        expect(snapshot.output).toEqual([]);
        break;
      case 'response.output_item.added':
        expect(at).toBe(snapshot.output.length);
        snapshot.output.push(structuredClone(data.item) as Json);
        break;
      case 'response.content_part.added':
        (snapshot.output[at] as Json & { content: Json[] }).content.push(data.part as Json);
        break;
      case 'response.output_text.delta': {
        const part = (snapshot.output[at] as Json & { content: Json[] }).content[
          data.content_index as number
        ] as Json;
        expect(part.type).toBe('output_text');
        part.text = `${part.text}${data.delta}`;
        break;
      }
      case 'response.function_call_arguments.delta': {
        const item = snapshot.output[at] as Json;
        expect(item.type).toBe('function_call');
        item.arguments = `${item.arguments}${data.delta}`;
        break;
      }
      case 'response.output_item.done':
        expect(snapshot.output[at]).toMatchObject({ ...(data.item as Json), status: 'in_progress' });
        snapshot.output[at] = data.item as Json;
        break;
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        expect((data.response as Json).output).toEqual(snapshot.output);
        snapshot = data.response as typeof snapshot;
        break;
    }
  });
  return snapshot;
}

describe('parseResponsesRequest', () => {
  it('reads a Codex-style transcript with instructions, reasoning, calls and outputs', () => {
    expect(parseResponsesRequest(codexBody)).toEqual({
      reasoning: null,
      parallelToolCalls: null,
      cache: { key: null, requested: false },
      dropped: ['input[type=reasoning]'],
      model: 'openai-codex/gpt-5',
      system: 'You are a coding agent.\n\nSandbox: read-only.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'List files, see ' },
            { type: 'image', url: 'https://example.com/shot.png' },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'text', text: 'Listing.' }],
          toolCalls: [{ id: 'call_ls', name: 'shell', arguments: '{"cmd":"ls"}' }],
        },
        { role: 'tool', toolCallId: 'call_ls', name: 'shell', content: 'a.txt\nb.txt', isError: false },
        { role: 'user', content: [{ type: 'text', text: 'Thanks. Now count them.' }] },
      ],
      tools: [{ name: 'shell', description: 'Runs a command', parameters: shellTool.parameters }],
      toolChoice: 'required',
      maxTokens: 1000,
      temperature: 1,
      topP: null,
      stop: [],
      stream: true,
    });
  });

  it('takes a plain string input and a function tool_choice', () => {
    const ir = parseResponsesRequest({
      model: 'm',
      input: 'hi',
      tools: [shellTool],
      tool_choice: { type: 'function', name: 'shell' },
    });
    expect(ir.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    expect(ir.toolChoice).toEqual({ name: 'shell' });
    expect(ir.system).toBeNull();
  });

  it('names the bad field in its errors', () => {
    expect(usageError(() => parseResponsesRequest({ model: 'm' }))).toBe('input: expected string | array');
    expect(
      parseResponsesRequest({ model: 'm', input: [{ type: 'item_reference', id: 'x' }] }).dropped,
    ).toEqual(['input[type=item_reference]']);
    const file = { role: 'user', content: [{ type: 'input_file', file_id: 'f' }] };
    expect(usageError(() => parseResponsesRequest({ model: 'm', input: [file] }))).toBe(
      'input[0].content[0].type: expected "input_text" | "output_text" | "input_image" | "refusal"',
    );
    expect(
      parseResponsesRequest({ model: 'm', input: 'x', tools: [{ type: 'web_search' }] }).dropped,
    ).toEqual(['tools[type=web_search]']);
    expect(
      usageError(() => parseResponsesRequest({ model: 'm', input: 'x', previous_response_id: 'resp_1' })),
    ).toMatch(/^previous_response_id: not supported/);
  });
});

describe('Codex CLI tools across families', () => {
  const fn = (name: string) => ({ type: 'function', name, parameters: { type: 'object', properties: {} } });
  const lite = {
    model: 'gpt-6.2-sol',
    stream: true,
    input: [
      {
        type: 'additional_tools',
        role: 'developer',
        tools: [
          { type: 'namespace', name: 'functions', tools: [{ type: 'custom', name: 'exec' }, fn('wait')] },
          { type: 'web_search', external_web_access: false },
        ],
      },
      { type: 'message', role: 'developer', content: 'You are Codex.' },
      { type: 'message', role: 'user', content: 'list files' },
      { type: 'custom_tool_call', call_id: 'c1', name: 'exec', namespace: 'functions', input: 'ls' },
      { type: 'custom_tool_call_output', call_id: 'c1', output: 'a.txt' },
      { type: 'function_call', call_id: 'c2', name: 'wait', namespace: 'functions', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c2', output: 'ok' },
    ],
    tools: [fn('exec_command')],
    client_metadata: { x: '1' },
  };

  it('reads tools from additional_tools and tools, flattening namespaces and carrying freeform tools as {input}', () => {
    const ir = parseResponsesRequest(lite);
    expect(ir.tools.map((t) => t.name)).toEqual(['exec_command', 'functions__exec', 'functions__wait']);
    expect(ir.tools[1]).toMatchObject({
      parameters: { required: ['input'] },
      origin: { namespace: 'functions', name: 'exec', freeform: true },
    });
    expect(ir.system).toBe('You are Codex.');
    expect(ir.messages[1]).toEqual({
      role: 'assistant',
      content: [],
      toolCalls: [{ id: 'c1', name: 'functions__exec', arguments: '{"input":"ls"}' }],
    });
    expect(ir.messages[2]).toMatchObject({ role: 'tool', toolCallId: 'c1', content: 'a.txt' });
    expect(ir.dropped).toEqual(['client_metadata', 'tools[type=web_search]']);
  });

  it('answers calls to those tools in kind: custom_tool_call with input, function_call with its namespace', () => {
    const ir = parseResponsesRequest(lite);
    const r: IrResponse = {
      id: 'resp_1',
      model: 'm',
      text: '',
      toolCalls: [
        { id: 'k1', name: 'functions__exec', arguments: '{"input":"pwd"}' },
        { id: 'k2', name: 'functions__wait', arguments: '{}' },
        { id: 'k3', name: 'exec_command', arguments: '{}' },
      ],
      stopReason: 'tool_calls',
      usage: { inputTokens: 1, outputTokens: 1 },
    };
    const out = (formatResponsesResponse(r, ir.tools) as { output: Json[] }).output;
    expect(out[0]).toMatchObject({
      type: 'custom_tool_call',
      call_id: 'k1',
      name: 'exec',
      namespace: 'functions',
      input: 'pwd',
    });
    expect(out[1]).toMatchObject({ type: 'function_call', name: 'wait', namespace: 'functions' });
    expect(out[2]).toMatchObject({ type: 'function_call', name: 'exec_command' });
    expect(out[2]).not.toHaveProperty('namespace');
    const encoder = createResponsesStreamEncoder({ model: 'm', tools: ir.tools });
    let sse = '';
    for (const e of [
      { type: 'start', id: 'x', model: 'm' },
      { type: 'tool_call_start', index: 0, id: 'k1', name: 'functions__exec' },
      { type: 'tool_call_args', index: 0, delta: '{"input":"pwd"}' },
      { type: 'done', stopReason: 'tool_calls', usage: { inputTokens: 1, outputTokens: 1 } },
    ] as IrEvent[])
      sse += encoder.push(e);
    const done = frames(sse).find((f) => f.event === 'response.output_item.done');
    expect(done?.data.item).toMatchObject({ type: 'custom_tool_call', name: 'exec', input: 'pwd' });
  });
});

describe('formatResponsesResponse', () => {
  it('writes text and function calls as output items with usage', () => {
    const r: IrResponse = {
      id: 'msg_up',
      model: 'gpt-test',
      text: 'Done.',
      toolCalls: [{ id: 'call_1', name: 'shell', arguments: '{}' }],
      stopReason: 'tool_calls',
      usage: { inputTokens: 3, outputTokens: 2 },
    };
    const body = formatResponsesResponse(r);
    expect(body).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-test',
      output: [
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{}' },
      ],
      usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
    });
    expect(String(body.id)).toMatch(/^resp_/);
    expect(formatResponsesResponse({ ...r, stopReason: 'length' })).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
  });
});

describe('createResponsesStreamEncoder', () => {
  it('streams items the SDK accumulates and that read back to the same answer', async () => {
    const sse = encode(toolAnswer);
    expect(frames(sse).map((f) => f.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const final = replayLikeSdk(sse);
    expect(final).toMatchObject({
      status: 'completed',
      model: 'gpt-test',
      usage: { input_tokens: 50, output_tokens: 7, total_tokens: 57 },
    });
    const back = await collectResponse(parseResponsesStream(parseSse(chunks(sse))));
    expect(back).toMatchObject({
      text: 'Running it.',
      toolCalls: [{ id: 'call_a', name: 'shell', arguments: '{"cmd":"wc -l"}' }],
      stopReason: 'tool_calls',
      usage: { inputTokens: 50, outputTokens: 7 },
    });
  });

  it('ends a length-limited answer with response.incomplete', async () => {
    const sse = encode([
      { type: 'text', delta: 'abc' },
      { type: 'done', stopReason: 'length', usage: { inputTokens: 1, outputTokens: 1 } },
    ]);
    expect(replayLikeSdk(sse)).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    const back = await collectResponse(parseResponsesStream(parseSse(chunks(sse))));
    expect(back).toMatchObject({ text: 'abc', stopReason: 'length' });
  });

  it('turns an error into response.failed and an error event', async () => {
    const sse = encode([
      { type: 'text', delta: 'par' },
      { type: 'error', code: 'rate_limit_exceeded', message: 'slow down' },
      { type: 'text', delta: 'late' },
    ]);
    const list = frames(sse);
    expect(list.at(0)?.event).toBe('response.created');
    expect(list.slice(-2)).toMatchObject([
      {
        event: 'response.failed',
        data: {
          response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'slow down' } },
        },
      },
      { event: 'error', data: { type: 'error', code: 'rate_limit_exceeded', message: 'slow down' } },
    ]);
    replayLikeSdk(sse);
    await expect(collectResponse(parseResponsesStream(parseSse(chunks(sse))))).rejects.toMatchObject({
      code: 'upstream_error',
      details: { upstreamCode: 'rate_limit_exceeded' },
    });
  });

  it('ends an unfinished stream as a failure', () => {
    const encoder = createResponsesStreamEncoder({ model: 'm' });
    const sse = encoder.push({ type: 'tool_call_start', index: 0, id: 'c', name: 'n' }) + encoder.end();
    expect(frames(sse).at(-2)?.event).toBe('response.failed');
  });
});
