import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/util/fingerprint.js';
import {
  CLAUDE_CODE_BETAS_HEADER,
  CLAUDE_CODE_REQUEST,
  CODEX_CLI_REQUEST,
} from '../helpers/client-requests.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

type Json = Record<string, unknown>;

/** What reached the emulator (the upstream), with the gateway's answer. */
describe('issue 8: passthrough first, faithful translation, loud drops, honest fallbacks', () => {
  let t: TestGateway;
  const post = (path: string, body: Json, headers: Record<string, string> = {}) =>
    fetch(`${t.gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}`, ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    t = await startTestGateway({
      chains: {
        main: ['openai-codex/gpt-5', { target: 'anthropic/claude-sonnet-4-5', profile: 'anthropic:claude' }],
        'codex-only': ['openai-codex/gpt-5'],
        claude: [{ target: 'anthropic/claude-sonnet-4-5', profile: 'anthropic:claude' }],
        'with-gap': ['openai-codex/gpt-5', 'openai-compatible/local-model'],
      },
      models: { 'my-alias': 'chain:claude' },
    });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.ctl.clearRequests();
  });

  it('Codex CLI → Codex login: every field and tool type arrives as written; only credential and model change', async () => {
    const res = await post('/v1/responses', CODEX_CLI_REQUEST, {
      originator: 'codex_exec',
      'x-codex-window-id': 'w1',
      'accept-encoding': 'zstd,gzip',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-clawkeep-target')).toBe('openai-codex/gpt-5.3-codex');
    expect(res.headers.get('x-clawkeep-dropped')).toBeNull();
    await res.text();
    const seen = await t.ctl.lastRequest({ path: '/openai-codex/backend-api/codex/responses' });
    const { model: _m, ...rest } = CODEX_CLI_REQUEST;
    expect(seen?.body).toEqual({ ...rest, model: 'gpt-5.3-codex' });
    const codex = (await t.store.getProfile('openai-codex:default'))!;
    expect(seen?.headers.authorization).toBe(`Bearer fp:${fingerprint(codex.access)}`);
    expect(seen?.headers['chatgpt-account-id']).toBe(codex.accountId);
    expect(seen?.headers.originator).toBe('codex_exec');
    expect(seen?.headers['x-codex-window-id']).toBe('w1');
    expect(seen?.headers['accept-encoding']).not.toBe('zstd,gzip');
  });

  it('Claude Code → Claude login: system turns, thinking, cache_control and its betas pass; only the OAuth beta is added', async () => {
    const res = await post('/v1/messages?beta=true', CLAUDE_CODE_REQUEST, {
      'anthropic-version': '2023-06-01',
      'anthropic-beta': CLAUDE_CODE_BETAS_HEADER.replace('oauth-2025-04-20,', ''),
      'x-app': 'cli',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-clawkeep-target')).toBe('anthropic/claude-opus-4-8');
    await res.text();
    const seen = await t.ctl.lastRequest({ path: '/anthropic/v1/messages' });
    expect(seen?.body).toEqual(CLAUDE_CODE_REQUEST);
    expect(JSON.stringify(seen?.body)).not.toMatch(/You are Claude Code/);
    const betas = seen?.headers['anthropic-beta']?.split(',') ?? [];
    expect(betas).toContain('oauth-2025-04-20');
    expect(betas).toContain('mid-conversation-system-2026-04-07');
    expect(betas.filter((b) => b === 'oauth-2025-04-20')).toHaveLength(1);
    expect(seen?.headers['x-app']).toBe('cli');
  });

  it('a client that sends no Claude Code beta gets none added (no impersonation)', async () => {
    const res = await post(
      '/v1/messages',
      { model: 'chain:claude', max_tokens: 50, messages: [{ role: 'user', content: 'plain' }] },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(res.status).toBe(200);
    await res.text();
    const seen = await t.ctl.lastRequest({ path: '/anthropic/v1/messages' });
    expect(seen?.headers['anthropic-beta']).toBe('oauth-2025-04-20');
    expect(seen?.body).not.toHaveProperty('system');
  });

  it('Claude Code → Codex chain: translated, reasoning mapped, unmappable fields named in x-clawkeep-dropped', async () => {
    const res = await post(
      '/v1/messages',
      { ...CLAUDE_CODE_REQUEST, model: 'chain:codex-only', stream: false },
      {
        'anthropic-version': '2023-06-01',
      },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.type).toBe('message');
    const dropped = res.headers.get('x-clawkeep-dropped')?.split(', ') ?? [];
    expect(dropped).toEqual(
      expect.arrayContaining([
        'context_management',
        'content[type=thinking]',
        'tools[type=web_search_20250305]',
      ]),
    );
    const seen = await t.ctl.lastRequest({ path: '/openai-codex/backend-api/codex/responses' });
    expect(seen?.body).toMatchObject({
      reasoning: { effort: 'high' },
      prompt_cache_key: 'user_abc_account_def_session_ghi',
      parallel_tool_calls: false,
    });
    const input = (seen?.body as { input: Json[] }).input;
    expect(input.at(-1)).toMatchObject({ role: 'developer' });
  });

  it('bare model ids and config aliases route to the provider that serves them', async () => {
    for (const [model, target] of [
      ['gpt-5.1-codex', 'openai-codex/gpt-5.1-codex'],
      ['claude-opus-5-5', 'anthropic/claude-opus-5-5'],
      ['my-alias', 'anthropic/claude-sonnet-4-5'],
    ] as const) {
      const res = await post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status, model).toBe(200);
      expect(res.headers.get('x-clawkeep-target')).toBe(target);
      await res.text();
    }
  });

  it('a later target without a profile is reported skipped, never as a fallback', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'chain:with-gap',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(res.headers.get('x-clawkeep-fallback')).toBeNull();
    expect(res.headers.get('x-clawkeep-skipped')).toContain('openai-compatible/local-model');
    await t.gateway.flushEvents();
    const events = await t.store.listEvents();
    expect(events.filter((e) => e.kind === 'fallback')).toHaveLength(0);
    expect(await (await fetch(`${t.gateway.url}/metrics`)).text()).not.toMatch(/clawkeep_fallbacks_total\{/);
  });

  it('count_tokens: passed to Anthropic for an Anthropic target, a local estimate otherwise, never a model call', async () => {
    const before = await t.ctl.stats();
    const body = { model: 'chain:claude', messages: [{ role: 'user', content: 'count me please' }] };
    const up = await post('/v1/messages/count_tokens?beta=true', body, { 'anthropic-version': '2023-06-01' });
    expect(up.status).toBe(200);
    expect(up.headers.get('x-clawkeep-count')).toBe('upstream');
    expect(((await up.json()) as Json).input_tokens).toBeGreaterThan(0);
    const est = await post('/v1/messages/count_tokens', { ...body, model: 'chain:codex-only' });
    expect(est.headers.get('x-clawkeep-count')).toBe('estimate');
    expect(((await est.json()) as Json).input_tokens).toBeGreaterThan(0);
    const after = await t.ctl.stats();
    expect(after.modelCalls.total).toBe(before.modelCalls.total);
    expect(await t.ctl.requests({ path: '/openai-codex/backend-api/codex/responses' })).toHaveLength(0);
  });

  it('answers HEAD / and lists models in each client format', async () => {
    expect((await fetch(`${t.gateway.url}/`, { method: 'HEAD' })).status).toBe(200);
    const auth = { authorization: `Bearer ${t.key}` };
    const openai = (await (await fetch(`${t.gateway.url}/v1/models`, { headers: auth })).json()) as {
      data: { id: string }[];
    };
    expect(openai.data.map((m) => m.id)).toEqual(
      expect.arrayContaining(['gpt-5.1-codex', 'chain:main', 'my-alias']),
    );
    const anthropic = (await (
      await fetch(`${t.gateway.url}/v1/models`, {
        headers: { 'x-api-key': t.key, 'anthropic-version': '2023-06-01' },
      })
    ).json()) as { data: { id: string; type: string }[]; has_more: boolean };
    expect(anthropic.has_more).toBe(false);
    expect(anthropic.data[0]).toMatchObject({ type: 'model', id: expect.stringMatching(/^claude-/) });
  });
});

describe('an upstream refusal that quotes the credential', () => {
  it('reaches the client scrubbed, in the client format', async () => {
    const echo = createServer((req, res) => {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: `bad header: ${req.headers.authorization}`, code: 'bad' } }),
      );
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    const t = await startTestGateway({ providers: { openai: { baseUrl: url } } });
    try {
      for (const path of ['/v1/chat/completions', '/v1/messages']) {
        const res = await fetch(`${t.gateway.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` },
          body: JSON.stringify({
            model: 'openai/gpt-4.1',
            max_tokens: 10,
            messages: [{ role: 'user', content: 'x' }],
          }),
        });
        const text = await res.text();
        expect(res.status).toBe(400);
        expect(text).not.toContain('sk-emu-openai-test');
        expect(text).toContain('[redacted]');
        if (path === '/v1/messages') expect(JSON.parse(text)).toMatchObject({ type: 'error' });
      }
    } finally {
      await t.close();
      echo.close();
    }
  });
});
