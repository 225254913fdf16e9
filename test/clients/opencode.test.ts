import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/gateway.js';
import {
  type ClientCase,
  carriesToolResult,
  describeRun,
  requestsTo,
  runCase,
  skipReason,
  startGatewayForClients,
} from './harness.js';

/**
 * opencode (`opencode run`) connected with `clawkeep connect opencode`: its provider block in
 * opencode.json, the default model `clawkeep/default` (the client key's chain). Chat Completions
 * translated to the Codex backend, and Messages (`--api messages`) passed through to Anthropic.
 */
const reason = skipReason('opencode');

const ROUTES = [
  { title: 'chat → openai-codex (translated)', api: 'chat', chain: 'codex-only', provider: 'openai-codex' },
  {
    title: 'messages → anthropic API key (same family)',
    api: 'messages',
    chain: 'claude-key',
    provider: 'anthropic',
  },
] as const;

describe.skipIf(reason !== null)('opencode through the gateway', { timeout: 240_000 }, () => {
  let tg: TestGateway;
  beforeAll(async () => {
    tg = await startGatewayForClients();
  });
  afterAll(async () => {
    await tg?.close();
  });

  for (const route of ROUTES) {
    const base: Omit<ClientCase, 'prompt'> = { client: 'opencode', api: route.api, chain: route.chain };

    it(`${route.title}: text answer`, async () => {
      const r = await runCase(tg, { ...base, prompt: 'text' });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout, describeRun(r)).toContain(`emulated ${route.provider} reply to:`);
      if (r.upstream === null) return;
      expect(requestsTo(r, route.provider).length, describeRun(r)).toBeGreaterThanOrEqual(1);
    });

    it(`${route.title}: tool round trip`, async () => {
      const r = await runCase(tg, { ...base, prompt: 'tool' });
      expect(r.code, describeRun(r)).toBe(0);
      expect(r.stdout, describeRun(r)).toContain(`emulated ${route.provider} reply to:`);
      if (r.upstream === null) return;
      const sent = requestsTo(r, route.provider);
      expect(
        sent.some((s) => carriesToolResult(s.body)),
        describeRun(r),
      ).toBe(true);
    });
  }

  it('never reaches the Claude subscription: a chain pinned to it is refused, and nothing is sent upstream', async () => {
    const r = await runCase(tg, { client: 'opencode', api: 'messages', chain: 'claude', prompt: 'text' });
    expect(r.code, describeRun(r)).not.toBe(0);
    if (r.upstream !== null) expect(requestsTo(r, 'anthropic'), describeRun(r)).toEqual([]);
    const refusals = tg.logs.filter((l) => l.includes('"code":"subscription_not_allowed"'));
    expect(refusals.some((l) => l.includes('"client":"opencode'))).toBe(true);
  });
});
