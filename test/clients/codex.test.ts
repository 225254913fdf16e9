import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/gateway.js';
import {
  carriesToolResult,
  describeRun,
  requestsTo,
  runCase,
  skipReason,
  startGatewayForClients,
} from './harness.js';

/**
 * Codex CLI (`codex exec`) connected with `clawkeep connect codex`: Responses API with its default
 * settings (default model, namespace + web_search tools, reasoning, prompt_cache_key, ...).
 */
const reason = skipReason('codex');

describe.skipIf(reason !== null)('Codex CLI through the gateway', { timeout: 240_000 }, () => {
  let tg: TestGateway;
  beforeAll(async () => {
    tg = await startGatewayForClients();
  });
  afterAll(async () => {
    await tg?.close();
  });

  it('same family, default model: text answer from the Codex backend, request passed through', async () => {
    const r = await runCase(tg, { client: 'codex', chain: 'codex-only', prompt: 'text' });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated openai-codex reply to: Say hello in five words.');
    if (r.upstream === null) return;
    const [sent] = requestsTo(r, 'openai-codex');
    expect(sent, describeRun(r)).toBeDefined();
    const body = sent?.body as Record<string, unknown>;
    // Passthrough: Codex's own fields reach its backend as written.
    expect(body).toMatchObject({
      stream: true,
      store: false,
      include: ['reasoning.encrypted_content'],
      reasoning: expect.objectContaining({ effort: expect.any(String) }),
      prompt_cache_key: expect.any(String),
      client_metadata: expect.any(Object),
    });
    expect(sent?.headers.originator).toBe('codex_exec');
    // Its newest default model carries the tools in an `additional_tools` input item.
    expect(JSON.stringify(body.input)).toContain('"additional_tools"');
  });

  it('same family, tool round trip with namespace and web_search tools passed through', async () => {
    const r = await runCase(tg, {
      client: 'codex',
      chain: 'codex-only',
      model: 'gpt-5.1-codex',
      prompt: 'tool',
    });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated openai-codex reply to:');
    if (r.upstream === null) return;
    const sent = requestsTo(r, 'openai-codex');
    expect(sent.length, describeRun(r)).toBeGreaterThanOrEqual(2);
    const first = sent[0]?.body as { tools: Array<{ type: string }>; parallel_tool_calls: boolean };
    expect(first.tools.map((t) => t.type)).toEqual(
      expect.arrayContaining(['function', 'namespace', 'web_search']),
    );
    expect(first.parallel_tool_calls).toBe(true);
    expect(carriesToolResult(sent.at(-1)?.body), describeRun(r)).toBe(true);
  });

  it('cross family (chain:claude-key, an Anthropic API key): text answer from Anthropic', async () => {
    const r = await runCase(tg, { client: 'codex', chain: null, model: 'chain:claude-key', prompt: 'text' });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated anthropic reply to:');
    if (r.upstream === null) return;
    expect(requestsTo(r, 'anthropic').length, describeRun(r)).toBeGreaterThanOrEqual(1);
  });

  it('cross family (chain:claude-key): tool round trip', async () => {
    const r = await runCase(tg, { client: 'codex', chain: null, model: 'chain:claude-key', prompt: 'tool' });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated anthropic reply to:');
    if (r.upstream === null) return;
    const sent = requestsTo(r, 'anthropic');
    expect(sent.length, describeRun(r)).toBeGreaterThanOrEqual(2);
    expect(carriesToolResult(sent.at(-1)?.body), describeRun(r)).toBe(true);
  });
});
