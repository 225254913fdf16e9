import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './server.js';
import { parseSse } from './sse.js';

type Json = Record<string, unknown>;

describe('openai API emulator', () => {
  let emu: Emulator;

  function post(path: string, body: Json, key: string | null = 'sk-emu-test'): Promise<Response> {
    return fetch(`${emu.env().CLAWKEEP_OPENAI_BASE_URL}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      },
      body: JSON.stringify(body),
    });
  }

  const chat = {
    model: 'gpt-4.1',
    messages: [
      { role: 'system', content: 'x' },
      { role: 'user', content: 'hi' },
    ],
  };
  const tools = [
    { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } },
  ];

  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  it('answers chat completions', async () => {
    const res = await post('/chat/completions', chat);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4.1',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'emulated openai reply to: hi' },
          finish_reason: 'stop',
        },
      ],
    });
    const usage = body.usage as Json;
    expect(usage.total_tokens).toBe(Number(usage.prompt_tokens) + Number(usage.completion_tokens));
  });

  it('streams chunks with a final usage chunk and [DONE]', async () => {
    const res = await post('/chat/completions', {
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
    });
    const events = parseSse(await res.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events
      .slice(0, -1)
      .map(
        (e) =>
          e.data as { choices: Array<{ delta: Json; finish_reason: string | null }>; usage: Json | null },
      );
    expect(chunks.every((c) => c && (c as unknown as Json).object === 'chat.completion.chunk')).toBe(true);
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage?.total_tokens).toBeGreaterThan(0);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    const text = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).join('');
    expect(text).toBe('emulated openai reply to: hi');
    const plain = parseSse(await (await post('/chat/completions', { ...chat, stream: true })).text());
    expect(plain.slice(0, -1).every((e) => (e.data as Json).usage === undefined)).toBe(true);
  });

  it('returns tool_calls when the trigger applies', async () => {
    const asked = { ...chat, messages: [{ role: 'user', content: 'use tool please' }], tools };
    const body = (await (await post('/chat/completions', asked)).json()) as {
      choices: Array<{ message: Json; finish_reason: string }>;
    };
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message.tool_calls).toMatchObject([
      { type: 'function', function: { name: 'lookup', arguments: '{}' } },
    ]);

    const forced = (await (
      await post('/chat/completions', { ...chat, tools, tool_choice: 'required' })
    ).json()) as {
      choices: Array<{ finish_reason: string }>;
    };
    expect(forced.choices[0]?.finish_reason).toBe('tool_calls');

    const afterTool = {
      ...asked,
      messages: [
        ...asked.messages,
        { role: 'assistant', content: null },
        { role: 'tool', tool_call_id: 'c', content: 'ok' },
      ],
    };
    const reply = (await (await post('/chat/completions', afterTool)).json()) as {
      choices: Array<{ finish_reason: string }>;
    };
    expect(reply.choices[0]?.finish_reason).toBe('stop');

    const events = parseSse(await (await post('/chat/completions', { ...asked, stream: true })).text());
    const head = events[0]?.data as { choices: Array<{ delta: { tool_calls: Json[] } }> } | undefined;
    const first = head?.choices[0]?.delta.tool_calls[0];
    expect(first).toMatchObject({ index: 0, type: 'function', function: { name: 'lookup' } });
  });

  it('answers the Responses API, streaming and not', async () => {
    const req = { model: 'gpt-4.1', input: 'hey' };
    const body = (await (await post('/responses', req)).json()) as {
      output: Json[];
      status: string;
      object: string;
    };
    expect(body).toMatchObject({ object: 'response', status: 'completed' });
    expect(body.output[0]).toMatchObject({
      type: 'message',
      content: [{ type: 'output_text', text: 'emulated openai reply to: hey' }],
    });
    const events = parseSse(await (await post('/responses', { ...req, stream: true })).text());
    expect(events.at(-1)?.event).toBe('response.completed');
  });

  it('requires an sk-emu- key', async () => {
    const missing = await post('/chat/completions', chat, null);
    expect(missing.status).toBe(401);
    const wrong = await post('/chat/completions', chat, 'sk-live-123');
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: Json }).error.code).toBe('invalid_api_key');
    expect((await post('/chat/completions', { model: 'x' })).status).toBe(400);
  });
});
