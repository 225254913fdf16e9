import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'lookup',
      description: 'look a thing up',
      parameters: { type: 'object', properties: { q: { type: 'string' } } },
    },
  },
];

describe('gateway with the official SDKs as clients (emulator upstream)', () => {
  let t: TestGateway;
  let openai: OpenAI;
  let anthropic: Anthropic;

  beforeAll(async () => {
    t = await startTestGateway();
    openai = new OpenAI({ apiKey: t.key, baseURL: `${t.gateway.url}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: t.key, baseURL: t.gateway.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('chat completions, non-streaming, served by the Codex login with loud target headers', async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: 'chain:main', messages: [{ role: 'user', content: 'hello there' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain('emulated openai-codex reply');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-clawkeep-target')).toBe('openai-codex/gpt-5');
    expect(response.headers.get('x-clawkeep-fallback')).toBeNull();
  });

  it('chat completions, streaming, with usage', async () => {
    const stream = await openai.chat.completions.create({
      model: 'chain:main',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage?.total_tokens ?? usage;
    }
    expect(text).toContain('emulated openai-codex reply to: stream please');
    expect(usage).toBeGreaterThan(0);
  });

  it('chat completions with tools: a tool call comes back, streaming and not', async () => {
    const res = await openai.chat.completions.create({
      model: 'chain:main',
      messages: [{ role: 'user', content: 'please use tool' }],
      tools,
    });
    expect(res.choices[0]?.finish_reason).toBe('tool_calls');
    expect(res.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'lookup' },
    });
    const stream = await openai.chat.completions.create({
      model: 'chain:main',
      messages: [{ role: 'user', content: 'please use tool' }],
      tools,
      stream: true,
    });
    const names: string[] = [];
    let args = '';
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (tc.function?.name) names.push(tc.function.name);
        args += tc.function?.arguments ?? '';
      }
    }
    expect(names).toEqual(['lookup']);
    expect(() => JSON.parse(args)).not.toThrow();
  });

  it('responses API, streaming and not', async () => {
    const r = await openai.responses.create({ model: 'chain:main', input: 'via responses' });
    expect(r.output_text).toContain('emulated openai-codex reply to: via responses');
    const stream = await openai.responses.create({
      model: 'chain:main',
      input: 'streamed responses',
      stream: true,
    });
    let text = '';
    for await (const ev of stream) if (ev.type === 'response.output_text.delta') text += ev.delta;
    expect(text).toContain('streamed responses');
  });

  it('Anthropic messages to a Codex chain are translated, streaming and not', async () => {
    const m = await anthropic.messages.create({
      model: 'chain:codex-only',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'from claude sdk' }],
    });
    expect(m.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('emulated openai-codex reply to: from claude sdk'),
    });
    const stream = anthropic.messages.stream({
      model: 'chain:codex-only',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'streamed claude sdk' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('streamed claude sdk'),
    });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it('Anthropic messages through the Claude login (OAuth) and an API key (passthrough), with tool use', async () => {
    const oauth = await anthropic.messages.create({
      model: 'chain:claude',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'hi claude' }],
    });
    expect(oauth.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('emulated anthropic reply'),
    });
    const key = await anthropic.messages
      .create({
        model: 'chain:claude-key',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'please use tool' }],
        tools: [{ name: 'lookup', description: 'look up', input_schema: { type: 'object', properties: {} } }],
      })
      .withResponse();
    expect(key.data.stop_reason).toBe('tool_use');
    expect(key.data.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'lookup' });
    expect(key.response.headers.get('x-clawkeep-profile')).toBe('anthropic:key');
    const stream = anthropic.messages.stream({
      model: 'chain:claude',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'stream claude' }],
    });
    expect(await stream.finalText()).toContain('stream claude');
  });

  it('OpenAI API keys pass chat completions straight through', async () => {
    const r = await openai.chat.completions.create({
      model: 'openai/gpt-4.1',
      messages: [{ role: 'user', content: 'plain openai' }],
    });
    expect(r.choices[0]?.message.content).toContain('plain openai');
  });

  it('lists models: chains and targets', async () => {
    const ids = [];
    for await (const m of openai.models.list()) ids.push(m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['chain:main', 'openai-codex/gpt-5', 'anthropic/claude-sonnet-4-5']),
    );
  });

  it('a wrong or missing client key gets 401 with an OpenAI-style error, and nothing reaches upstream', async () => {
    const before = (await t.ctl.stats()).modelCalls.total;
    const bad = new OpenAI({ apiKey: 'ck_wrong', baseURL: `${t.gateway.url}/v1`, maxRetries: 0 });
    await expect(
      bad.chat.completions.create({ model: 'chain:main', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 401,
      error: { code: 'invalid_client_key', type: 'authentication_error' },
    });
    const res = await fetch(`${t.gateway.url}/v1/messages`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    expect((await t.ctl.stats()).modelCalls.total).toBe(before);
  });

  it('bad requests get a 400 naming the field, in the client format', async () => {
    await expect(
      anthropic.messages.create({
        model: 'chain:claude',
        messages: [{ role: 'user', content: 'x' }],
      } as never),
    ).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      openai.chat.completions.create({ model: 'mistral-nope', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 404,
      error: { code: 'model_not_found' },
    });
  });
});
