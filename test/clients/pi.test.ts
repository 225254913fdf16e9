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
 * pi (`pi -p`) connected with `clawkeep connect pi` (its provider in models.json), asking for
 * model `default` (the client key's chain): Chat Completions to an OpenAI API key (same family),
 * and Messages (`--api messages`) across to the Codex backend.
 */
const reason = skipReason('pi');

const ROUTES = [
  { title: 'chat → openai (same family)', api: 'chat', chain: 'openai', provider: 'openai' },
  {
    title: 'messages → openai-codex (cross family)',
    api: 'messages',
    chain: 'codex-only',
    provider: 'openai-codex',
  },
] as const;

describe.skipIf(reason !== null)('pi through the gateway', { timeout: 240_000 }, () => {
  let tg: TestGateway;
  beforeAll(async () => {
    tg = await startGatewayForClients();
  });
  afterAll(async () => {
    await tg?.close();
  });

  for (const route of ROUTES) {
    const base: Omit<ClientCase, 'prompt'> = { client: 'pi', api: route.api, chain: route.chain };

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
    const r = await runCase(tg, { client: 'pi', api: 'messages', chain: 'claude', prompt: 'text' });
    expect(r.code === 0 && r.stdout.includes('emulated anthropic reply to:'), describeRun(r)).toBe(false);
    if (r.upstream !== null) expect(requestsTo(r, 'anthropic'), describeRun(r)).toEqual([]);
    const refusals = tg.logs.filter((l) => l.includes('"code":"subscription_not_allowed"'));
    expect(refusals.some((l) => l.includes('"client":"pi'))).toBe(true);
  });
});
