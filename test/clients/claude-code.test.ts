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
 * Claude Code (`claude -p`) connected with `clawkeep connect claude-code` (settings.json env block):
 * Messages API with `?beta=true`, its default model, `role: "system"` turns inside `messages`,
 * thinking/context_management/output_config/metadata, cache_control and its anthropic-beta values.
 */
const reason = skipReason('claude-code');

describe.skipIf(reason !== null)('Claude Code through the gateway', { timeout: 240_000 }, () => {
  let tg: TestGateway;
  beforeAll(async () => {
    tg = await startGatewayForClients();
  });
  afterAll(async () => {
    await tg?.close();
  });

  it('same family, default model: text answer from Anthropic, request passed through', async () => {
    const r = await runCase(tg, { client: 'claude-code', chain: 'claude', prompt: 'text' });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated anthropic reply to:');
    if (r.upstream === null) return;
    const [sent] = requestsTo(r, 'anthropic');
    expect(sent, describeRun(r)).toBeDefined();
    // The key connect claude-code made (kind claude-code) is served by the Claude subscription login.
    expect(sent?.headers.authorization).toMatch(/^Bearer fp:/);
    expect(sent?.headers['x-api-key']).toBeUndefined();
    const body = sent?.body as Record<string, unknown> & {
      system: Array<{ text: string }>;
      messages: Array<{ role: string }>;
    };
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['thinking', 'context_management', 'output_config', 'metadata']),
    );
    expect(JSON.stringify(body)).toContain('"cache_control"');
    expect(body.messages.map((m) => m.role)).toContain('system');
    // No impersonation: the system prompt is Claude Code's own, nothing prepended.
    expect(body.system[0]?.text).toMatch(/^x-anthropic-billing-header/);
    expect(JSON.stringify(body.system)).not.toContain(
      "You are Claude Code, Anthropic's official CLI for Claude.",
    );
    const beta = sent?.headers['anthropic-beta'] ?? '';
    expect(beta).toContain('interleaved-thinking-2025-05-14');
    expect(beta).toContain('context-management-2025-06-27');
  });

  it('same family, default model: tool round trip', async () => {
    const r = await runCase(tg, { client: 'claude-code', chain: 'claude', prompt: 'tool' });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated anthropic reply to:');
    if (r.upstream === null) return;
    const sent = requestsTo(r, 'anthropic');
    expect(sent.length, describeRun(r)).toBeGreaterThanOrEqual(2);
    expect(carriesToolResult(sent.at(-1)?.body), describeRun(r)).toBe(true);
  });

  it('same family through a chain name (chain:claude): text answer from Anthropic', async () => {
    // For a model name it does not know, Claude Code 2.1.332 still sends `role: "system"` turns but
    // without the per-turn-control beta its default model gets (docs/clients.md, "What each client sends").
    const r = await runCase(tg, {
      client: 'claude-code',
      chain: null,
      model: 'chain:claude',
      prompt: 'text',
    });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated anthropic reply to:');
    if (r.upstream === null) return;
    expect(requestsTo(r, 'anthropic').length, describeRun(r)).toBeGreaterThanOrEqual(1);
  });

  it('cross family (chain:codex-only): text answer from the Codex backend', async () => {
    const r = await runCase(tg, {
      client: 'claude-code',
      chain: null,
      model: 'chain:codex-only',
      prompt: 'text',
    });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated openai-codex reply to:');
    if (r.upstream === null) return;
    expect(requestsTo(r, 'openai-codex').length, describeRun(r)).toBeGreaterThanOrEqual(1);
  });

  it('cross family (chain:codex-only): tool round trip', async () => {
    const r = await runCase(tg, {
      client: 'claude-code',
      chain: null,
      model: 'chain:codex-only',
      prompt: 'tool',
    });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated openai-codex reply to:');
    if (r.upstream === null) return;
    const sent = requestsTo(r, 'openai-codex');
    expect(sent.length, describeRun(r)).toBeGreaterThanOrEqual(2);
    expect(carriesToolResult(sent.at(-1)?.body), describeRun(r)).toBe(true);
  });
});
