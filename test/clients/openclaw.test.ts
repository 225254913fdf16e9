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
 * OpenClaw 2026.9.6 (`openclaw agent --local`) connected with `clawkeep connect openclaw` (custom
 * provider in openclaw.json, primary model `clawkeep/default`). An agent turn takes 15-25 s, so each
 * route runs once, with the tool prompt: the answer after the tool result is the text answer.
 */
const reason = skipReason('openclaw');

describe.skipIf(reason !== null)('OpenClaw through the gateway', { timeout: 240_000 }, () => {
  let tg: TestGateway;
  beforeAll(async () => {
    tg = await startGatewayForClients();
  });
  afterAll(async () => {
    await tg?.close();
  });

  it('chat → anthropic API key (cross family): tool round trip, then the text answer', async () => {
    // An Anthropic API key: the Claude subscription serves Claude Code alone (the serving policy).
    const r = await runCase(tg, { client: 'openclaw', api: 'chat', chain: 'claude-key', prompt: 'tool' });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated anthropic reply to:');
    if (r.upstream === null) return;
    const sent = requestsTo(r, 'anthropic');
    expect(
      sent.some((s) => carriesToolResult(s.body)),
      describeRun(r),
    ).toBe(true);
  });

  it('messages → openai-codex (cross family): text answer', async () => {
    const r = await runCase(tg, { client: 'openclaw', api: 'messages', chain: 'codex-only', prompt: 'text' });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout, describeRun(r)).toContain('emulated openai-codex reply to:');
    if (r.upstream === null) return;
    expect(requestsTo(r, 'openai-codex').length, describeRun(r)).toBeGreaterThanOrEqual(1);
  });
});
