import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLAUDE_CODE_BETAS_HEADER,
  CLAUDE_CODE_REQUEST,
  CODEX_CLI_REQUEST,
} from '../../test/helpers/client-requests.js';
import { EmulatorControl, type MintedProfile } from './control-client.js';
import { type Emulator, startEmulator } from './server.js';
import { parseSse, type SseEvent } from './sse.js';

type Json = Record<string, unknown>;

const API_KEY = 'sk-emu-test-key';

describe('model endpoints as a strict upstream', () => {
  let emu: Emulator;
  let control: EmulatorControl;
  let codex: MintedProfile;
  let claude: MintedProfile;
  /** CODEX_CLI_REQUEST with its reasoning item replaced by one this emulator issued. */
  let codexRequest: Json;

  const post = (path: string, headers: Record<string, string>, body: unknown) =>
    fetch(`${emu.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const codexHeaders = () => ({
    authorization: `Bearer ${codex.access}`,
    'chatgpt-account-id': codex.accountId,
  });
  const claudeHeaders = (betas = `${CLAUDE_CODE_BETAS_HEADER},oauth-2025-04-20`) => ({
    authorization: `Bearer ${claude.access}`,
    'anthropic-version': '2023-06-01',
    'anthropic-beta': betas,
  });
  const keyHeaders = { 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' };
  const openaiHeaders = { authorization: `Bearer ${API_KEY}` };
  const events = async (res: Response): Promise<SseEvent[]> => parseSse(await res.text());
  const named = (list: SseEvent[], name: string) =>
    list.filter((e) => e.event === name).map((e) => e.data as Json);

  beforeAll(async () => {
    emu = await startEmulator();
    control = new EmulatorControl(emu.url);
    codex = await control.mint({ provider: 'openai-codex' });
    claude = await control.mint({ provider: 'anthropic' });
    const first = await post('/openai-codex/backend-api/codex/responses', codexHeaders(), {
      ...CODEX_CLI_REQUEST,
      instructions: 'You are a coding agent.',
      input: [{ role: 'user', content: 'start' }],
    });
    const issued = named(await events(first), 'response.output_item.done')[0]?.item as Json;
    const input = (CODEX_CLI_REQUEST.input as Json[]).map((item) =>
      item.type === 'reasoning' ? issued : item,
    );
    codexRequest = { ...CODEX_CLI_REQUEST, input };
  });
  afterAll(() => emu.close());
  beforeEach(() => control.clearRequests());

  describe('request log', () => {
    it('keeps what reached the Codex backend, with the token fingerprinted and the answer status', async () => {
      const path = '/openai-codex/backend-api/codex/responses';
      const ok = await post(`${path}?client=test`, codexHeaders(), codexRequest);
      expect(ok.status).toBe(200);
      await ok.text();
      const refused = await post(path, codexHeaders(), { ...codexRequest, store: true });
      expect(await refused.json()).toEqual({ detail: 'Store must be set to false' });

      const seen = await control.requests({ path });
      expect(seen).toHaveLength(2);
      const [first, second] = seen;
      expect(first).toMatchObject({
        method: 'POST',
        path: `${path}?client=test`,
        status: 200,
        body: codexRequest,
      });
      expect(first?.headers.authorization).toMatch(/^Bearer fp:[0-9a-f]{8}\/\d+$/);
      expect(first?.headers['chatgpt-account-id']).toBe(codex.accountId);
      expect(JSON.stringify(seen)).not.toContain(codex.access);
      expect(second).toMatchObject({ status: 400, body: { store: true } });
      expect(await control.lastRequest({ path })).toEqual(second);
      expect(emu.requests(path)).toEqual(seen);

      await control.clearRequests();
      expect(await control.requests()).toEqual([]);
    });

    it('keeps no token-endpoint or control traffic', async () => {
      await fetch(`${emu.url}/_emulator/stats`);
      await post('/anthropic/v1/oauth/token', {}, { grant_type: 'refresh_token', refresh_token: 'x' });
      expect(await control.requests()).toEqual([]);
    });
  });

  describe('Codex backend', () => {
    it('streams rate limits, a reasoning item and the answer for what Codex CLI sends', async () => {
      const res = await post('/openai-codex/backend-api/codex/responses', codexHeaders(), codexRequest);
      expect(res.status).toBe(200);
      const used = Number(res.headers.get('x-codex-primary-used-percent'));
      expect(res.headers.get('x-codex-primary-window-minutes')).toBe('300');
      expect(res.headers.get('x-codex-secondary-window-minutes')).toBe('10080');
      expect(Number(res.headers.get('x-codex-primary-reset-at'))).toBeGreaterThan(Date.now() / 1000);
      const list = await events(res);
      expect(list[0]?.event).toBe('codex.rate_limits');
      expect(list[0]?.data).toMatchObject({
        rate_limits: { primary: { used_percent: used, window_minutes: 300 } },
      });
      const added = named(list, 'response.output_item.added');
      expect(added.map((e) => [e.output_index, (e.item as Json).type])).toEqual([
        [0, 'reasoning'],
        [1, 'message'],
      ]);
      expect(named(list, 'response.reasoning_summary_text.delta').length).toBeGreaterThan(0);
      const [reasoning] = named(list, 'response.output_item.done');
      expect(reasoning?.item).toMatchObject({
        type: 'reasoning',
        summary: [{ type: 'summary_text' }],
        encrypted_content: expect.any(String),
      });
      const completed = named(list, 'response.completed')[0]?.response as Json;
      expect(completed).toMatchObject({
        store: false,
        parallel_tool_calls: true,
        reasoning: { effort: 'medium', summary: 'auto' },
        service_tier: 'priority',
        usage: { output_tokens_details: { reasoning_tokens: expect.any(Number) } },
      });

      const again = await post('/openai-codex/backend-api/codex/responses', codexHeaders(), codexRequest);
      await again.text();
      expect(Number(again.headers.get('x-codex-primary-used-percent'))).toBeGreaterThan(used);
    });

    it('answers malformed tools in the Responses error shape and refused parameters as detail', async () => {
      const before = (await control.stats()).modelCalls.total;
      const badTool = await post('/openai-codex/backend-api/codex/responses', codexHeaders(), {
        ...codexRequest,
        tools: [{ type: 'namespace', name: 'multi_agent_v1', tools: [{ type: 'function' }] }],
      });
      expect(badTool.status).toBe(400);
      expect(await badTool.json()).toEqual({
        error: {
          message: "Missing required parameter: 'tools[0].tools[0].name'.",
          type: 'invalid_request_error',
          param: 'tools[0].tools[0].name',
          code: 'missing_required_parameter',
        },
      });
      const capped = await post('/openai-codex/backend-api/codex/responses', codexHeaders(), {
        ...codexRequest,
        max_output_tokens: 10,
      });
      expect(await capped.json()).toEqual({ detail: 'Unsupported parameter: max_output_tokens' });
      const chained = await post('/openai-codex/backend-api/codex/responses', codexHeaders(), {
        ...codexRequest,
        previous_response_id: 'resp_abc',
      });
      expect(((await chained.json()) as { error: Json }).error).toMatchObject({
        param: 'previous_response_id',
        code: 'previous_response_not_found',
      });
      expect((await control.stats()).modelCalls.total).toBe(before);
    });

    it('takes back the reasoning items it issued and refuses altered ones', async () => {
      const input = codexRequest.input as Json[];
      const issued = input.find((item) => item.type === 'reasoning') as Json;
      expect(issued.encrypted_content).toMatch(/^gAAAA/);
      const sealed = String(issued.encrypted_content);
      const altered = `${sealed.slice(0, -3)}xyz`;
      const res = await post('/openai-codex/backend-api/codex/responses', codexHeaders(), {
        ...codexRequest,
        input: input.map((item) => (item === issued ? { ...item, encrypted_content: altered } : item)),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          message: `The encrypted content ${altered.slice(0, 4)}...${altered.slice(-4)} could not be verified.`,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_encrypted_content',
        },
      });
      const elsewhere = await startEmulator();
      try {
        const key = await post('/openai/v1/responses', openaiHeaders, codexRequest);
        expect(key.status).toBe(200);
        await key.text();
        const other = await fetch(`${elsewhere.url}/openai/v1/responses`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...openaiHeaders },
          body: JSON.stringify(codexRequest),
        });
        expect(((await other.json()) as { error: Json }).error.code).toBe('invalid_encrypted_content');
      } finally {
        await elsewhere.close();
      }
    });

    it('calls a custom (freeform) tool with a custom_tool_call item', async () => {
      const res = await post('/openai-codex/backend-api/codex/responses', codexHeaders(), {
        ...codexRequest,
        instructions: 'You are a coding agent.',
        input: [{ role: 'user', content: 'use tool please' }],
        tools: [{ type: 'custom', name: 'apply_patch', format: { type: 'text' } }],
        reasoning: null,
      });
      const list = await events(res);
      expect(named(list, 'response.output_item.done')[0]?.item).toMatchObject({
        type: 'custom_tool_call',
        name: 'apply_patch',
      });
      expect(named(list, 'response.custom_tool_call_input.done')).toHaveLength(1);
    });
  });

  describe('OpenAI Responses API', () => {
    const hello = { model: 'gpt-5.4', input: 'hello' };

    it('refuses an unknown parameter with the API error body', async () => {
      const res = await post('/openai/v1/responses', openaiHeaders, { ...hello, max_tokens: 5 });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          message: "Unknown parameter: 'max_tokens'.",
          type: 'invalid_request_error',
          param: 'max_tokens',
          code: 'unknown_parameter',
        },
      });
    });

    it('chains previous_response_id only to stored responses', async () => {
      const stored = (await (await post('/openai/v1/responses', openaiHeaders, hello)).json()) as Json;
      const unstored = (await (
        await post('/openai/v1/responses', openaiHeaders, { ...hello, store: false })
      ).json()) as Json;
      const next = await post('/openai/v1/responses', openaiHeaders, {
        ...hello,
        previous_response_id: stored.id,
      });
      expect(next.status).toBe(200);
      expect(Number(next.headers.get('x-ratelimit-remaining-requests'))).toBeLessThan(
        Number(next.headers.get('x-ratelimit-limit-requests')),
      );
      const lost = await post('/openai/v1/responses', openaiHeaders, {
        ...hello,
        previous_response_id: unstored.id,
      });
      expect(lost.status).toBe(400);
      expect(await lost.json()).toEqual({
        error: {
          message: `Previous response with id '${String(unstored.id)}' not found.`,
          type: 'invalid_request_error',
          param: 'previous_response_id',
          code: 'previous_response_not_found',
        },
      });
    });

    it('takes the Codex CLI request over an API key (wire_api = "responses")', async () => {
      const res = await post('/openai/v1/responses', openaiHeaders, codexRequest);
      expect(res.status).toBe(200);
      expect(named(await events(res), 'response.completed')).toHaveLength(1);
    });

    it('lists models in the OpenAI shape', async () => {
      const res = await fetch(`${emu.url}/openai/v1/models`, { headers: openaiHeaders });
      const body = (await res.json()) as { object: string; data: Json[] };
      expect(body.object).toBe('list');
      expect(body.data[0]).toMatchObject({ object: 'model', owned_by: 'openai', id: expect.any(String) });
    });
  });

  describe('Anthropic Messages API', () => {
    it('streams thinking and text for what Claude Code sends, with ?beta=true and unified quota headers', async () => {
      const res = await post('/anthropic/v1/messages?beta=true', claudeHeaders(), CLAUDE_CODE_REQUEST);
      expect(res.status).toBe(200);
      expect(res.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed');
      expect(res.headers.get('anthropic-ratelimit-unified-representative-claim')).toBe('five_hour');
      expect(Number(res.headers.get('anthropic-ratelimit-unified-5h-utilization'))).toBeGreaterThan(0);
      expect(res.headers.get('anthropic-ratelimit-unified-7d-reset')).toMatch(/^\d+$/);
      const list = await events(res);
      const starts = named(list, 'content_block_start').map((e) => (e.content_block as Json).type);
      expect(starts).toEqual(['thinking', 'text']);
      const deltas = named(list, 'content_block_delta').map((e) => (e.delta as Json).type);
      // display: "omitted": a signature, no thinking text
      expect(deltas).not.toContain('thinking_delta');
      expect(deltas.indexOf('signature_delta')).toBeLessThan(deltas.indexOf('text_delta'));
      expect(deltas.indexOf('signature_delta')).toBeGreaterThanOrEqual(0);
      const shown = await post('/anthropic/v1/messages', claudeHeaders(), {
        ...CLAUDE_CODE_REQUEST,
        thinking: { type: 'adaptive' },
      });
      const shownDeltas = named(await events(shown), 'content_block_delta').map(
        (e) => (e.delta as Json).type,
      );
      expect(shownDeltas.slice(0, 2)).toEqual(['thinking_delta', 'thinking_delta']);
      expect(shownDeltas).toContain('signature_delta');
      expect((await control.requests({ path: '/anthropic/v1/messages' }))[0]?.path).toBe(
        '/anthropic/v1/messages?beta=true',
      );
    });

    it('answers non-streaming with a signed thinking block first', async () => {
      const res = await post('/anthropic/v1/messages', keyHeaders, {
        model: 'claude-sonnet-4-5',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('anthropic-ratelimit-requests-limit')).toMatch(/^\d+$/);
      expect(res.headers.get('anthropic-ratelimit-unified-status')).toBeNull();
      const body = (await res.json()) as { content: Json[] };
      expect(body.content.map((b) => b.type)).toEqual(['thinking', 'text']);
      expect(body.content[0]?.signature).toEqual(expect.any(String));
    });

    it('refuses a system turn without the mid-conversation beta, in the API error body', async () => {
      const res = await post(
        '/anthropic/v1/messages',
        claudeHeaders('claude-code-20250219,oauth-2025-04-20'),
        {
          ...CLAUDE_CODE_REQUEST,
          context_management: undefined,
        },
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: "messages.3.role: Input should be 'user' or 'assistant'",
        },
      });
    });

    it('refuses an OAuth token without the oauth beta', async () => {
      const res = await post(
        '/anthropic/v1/messages',
        claudeHeaders('mid-conversation-system-2026-04-07'),
        CLAUDE_CODE_REQUEST,
      );
      expect(res.status).toBe(401);
    });

    it('counts tokens locally: deterministic, no max_tokens, no model call', async () => {
      const before = (await control.stats()).modelCalls.total;
      const { max_tokens: _m, stream: _s, metadata: _d, ...prompt } = CLAUDE_CODE_REQUEST;
      const count = async () => {
        const res = await post('/anthropic/v1/messages/count_tokens?beta=true', claudeHeaders(), prompt);
        expect(res.status).toBe(200);
        return (await res.json()) as { input_tokens: number };
      };
      const first = await count();
      expect(first).toEqual({ input_tokens: expect.any(Number) });
      expect(first.input_tokens).toBeGreaterThan(10);
      expect(await count()).toEqual(first);
      const refused = await post('/anthropic/v1/messages/count_tokens', claudeHeaders(), {
        ...prompt,
        max_tokens: 5,
      });
      expect(await refused.json()).toMatchObject({
        error: { message: 'max_tokens: Extra inputs are not permitted' },
      });
      expect((await control.stats()).modelCalls.total).toBe(before);
      expect(await control.requests({ path: '/anthropic/v1/messages/count_tokens' })).toHaveLength(3);
    });

    it('lists models in the Anthropic shape', async () => {
      const res = await fetch(`${emu.url}/anthropic/v1/models?limit=20`, { headers: keyHeaders });
      const body = (await res.json()) as {
        data: Json[];
        has_more: boolean;
        first_id: string;
        last_id: string;
      };
      expect(body.has_more).toBe(false);
      expect(body.data[0]).toEqual({
        type: 'model',
        id: body.first_id,
        display_name: expect.any(String),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(body.data.at(-1)?.id).toBe(body.last_id);
      expect(await control.lastRequest({ path: '/anthropic/v1/models' })).toMatchObject({
        method: 'GET',
        path: '/anthropic/v1/models?limit=20',
        body: null,
        status: 200,
      });
      const unversioned = await fetch(`${emu.url}/anthropic/v1/models`, {
        headers: { 'x-api-key': API_KEY },
      });
      expect(unversioned.status).toBe(400);
    });
  });
});
