import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const ask = (t: TestGateway, model = 'chain:main') =>
  new OpenAI({ apiKey: t.key, baseURL: `${t.gateway.url}/v1`, maxRetries: 0 }).chat.completions
    .create({ model, messages: [{ role: 'user', content: 'fallback test' }] })
    .withResponse();

describe('loud fallback, cooldowns and the all-cooling 429', () => {
  let t: TestGateway;
  afterEach(async () => {
    await t.close();
  });

  it('falls back from a needs_reauth Codex profile to Claude: header, event, log line and metric', async () => {
    t = await startTestGateway();
    const codex = await t.store.getProfile('openai-codex:default');
    await t.store.markNeedsReauth('openai-codex:default', codex!.refresh, 'refresh_token_reused', Date.now());
    const before = (await t.ctl.stats()).modelCalls.byProvider;
    const { data, response } = await ask(t);
    expect(data.choices[0]?.message.content).toContain('emulated anthropic reply');
    expect(response.headers.get('x-clawkeep-target')).toBe('anthropic/claude-sonnet-4-5');
    expect(response.headers.get('x-clawkeep-fallback')).toBe(
      'openai-codex/gpt-5@openai-codex:default -> anthropic/claude-sonnet-4-5@anthropic:claude; reason=needs_reauth',
    );
    expect((await t.ctl.stats()).modelCalls.byProvider['openai-codex'] ?? 0).toBe(
      before['openai-codex'] ?? 0,
    );
    await t.gateway.flushEvents();
    const events = await t.store.listEvents({ profileId: 'openai-codex:default' });
    expect(events.at(-1)).toMatchObject({
      kind: 'fallback',
      data: { reason: 'needs_reauth', client: 'test-agent', chain: 'main' },
    });
    expect(t.logs.some((l) => JSON.parse(l).level === 40 && l.includes('needs_reauth'))).toBe(true);
    const metrics = await (await fetch(`${t.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /clawkeep_fallbacks_total\{from="openai-codex\/gpt-5@openai-codex:default",to="anthropic\/claude-sonnet-4-5@anthropic:claude",reason="needs_reauth"\} 1/,
    );
  });

  it('falls back on 429 and then skips the cooling target without calling it; Retry-After sets the cooldown', async () => {
    t = await startTestGateway();
    await t.ctl.addFault({
      target: 'model',
      provider: 'openai-codex',
      rateLimit: { count: 1, retryAfterSeconds: 120 },
    });
    const first = await ask(t);
    expect(first.response.headers.get('x-clawkeep-fallback')).toContain('reason=rate_limited');
    const codexCalls = (await t.ctl.stats()).faultsInjected.rateLimit;
    const second = await ask(t);
    expect(second.response.headers.get('x-clawkeep-fallback')).toContain('reason=cooldown');
    expect(second.response.headers.get('x-clawkeep-target')).toBe('anthropic/claude-sonnet-4-5');
    expect((await t.ctl.stats()).faultsInjected.rateLimit).toBe(codexCalls);
    const cd = t.gateway.cooldowns.list().find((c) => c.profileId === 'openai-codex:default');
    expect(cd?.reason).toBe('rate_limited');
    expect(cd!.until - Date.now()).toBeGreaterThan(100_000);
  });

  it('falls back on a 5xx', async () => {
    t = await startTestGateway();
    await t.ctl.addFault({ target: 'model', provider: 'openai-codex', status5xx: { count: 1, status: 503 } });
    const { response } = await ask(t);
    expect(response.headers.get('x-clawkeep-fallback')).toContain('reason=upstream_5xx');
  });

  it('falls back when the first byte does not come within firstByteTimeoutMs', async () => {
    t = await startTestGateway({ gateway: { port: 0, logLevel: 'info', firstByteTimeoutMs: 300 } });
    await t.ctl.addFault({ target: 'model', provider: 'openai-codex', latencyMs: 3000 });
    const { response } = await ask(t);
    expect(response.headers.get('x-clawkeep-fallback')).toContain('reason=timeout');
    expect(response.headers.get('x-clawkeep-target')).toBe('anthropic/claude-sonnet-4-5');
    await t.ctl.clearFaults();
  });

  it('answers 429 with Retry-After when every target of the chain is cooling down', async () => {
    t = await startTestGateway();
    await t.ctl.addFault({
      target: 'model',
      provider: 'openai-codex',
      rateLimit: { count: 1, retryAfterSeconds: 30 },
    });
    await expect(ask(t, 'chain:codex-only')).rejects.toMatchObject({ status: 429 });
    const res = await fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chain:codex-only', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(20);
    expect(await res.json()).toMatchObject({ error: { code: 'all_targets_cooling' } });
  });

  it('a 401 from upstream gets one refresh, then succeeds without falling back', async () => {
    t = await startTestGateway();
    // Replace the stored token with one the emulator's model endpoint rejects, but keep a valid refresh token.
    const p = (await t.store.getProfile('openai-codex:default'))!;
    await t.store.commitRotation(
      p.id,
      p.refresh!,
      {
        access: 'not-a-valid-access-token',
        refresh: p.refresh!,
        expires: Date.now() + 3_600_000,
        issuedAt: Date.now(),
      },
      Date.now(),
    );
    const { response } = await ask(t, 'chain:codex-only');
    expect(response.headers.get('x-clawkeep-fallback')).toBeNull();
    expect((await t.ctl.stats()).rotations).toBe(1);
  });

  it('log scan: no secret appears in any log line, response body, header or event', async () => {
    t = await startTestGateway();
    const codex = await t.store.getProfile('openai-codex:default');
    await t.store.markNeedsReauth('openai-codex:default', codex!.refresh, 'refresh_token_reused', Date.now());
    const bodies: string[] = [];
    for (const model of ['chain:main', 'chain:codex-only', 'nope']) {
      const r = await fetch(`${t.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }], stream: true }),
      });
      bodies.push(await r.text(), JSON.stringify([...r.headers]));
    }
    const bad = await fetch(`${t.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-emu-anthropic-test' },
      body: '{}',
    });
    bodies.push(await bad.text());
    await t.gateway.flushEvents();
    const events = JSON.stringify(await t.store.listEvents());
    const haystack = [...t.logs, ...bodies, events].join('\n');
    expect(t.logs.length).toBeGreaterThan(3);
    for (const secret of t.secrets) expect(haystack.includes(secret), 'a secret leaked').toBe(false);
  });

  it('never falls back once bytes have streamed to the client', async () => {
    // An upstream that starts a stream, then dies.
    const broken: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        'data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"partial"}}]}\n\n',
      );
      setTimeout(() => res.socket?.destroy(), 50);
    });
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
    const port = (broken.address() as AddressInfo).port;
    t = await startTestGateway({
      providers: { 'openai-compatible': { baseUrl: `http://127.0.0.1:${port}/v1` } },
      chains: { broken: ['openai-compatible/local-model', 'openai/gpt-4.1'] },
      defaultChain: 'broken',
    });
    await t.store.insertProfile(
      { id: 'openai-compatible:local', type: 'api_key', access: 'sk-emu-local' },
      Date.now(),
    );
    const before = (await t.ctl.stats()).modelCalls.total;
    const res = await fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'chain:broken',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-clawkeep-target')).toBe('openai-compatible/local-model');
    const text = await res.text().catch(() => 'partial (connection cut)');
    expect(text).toContain('partial');
    expect(res.headers.get('x-clawkeep-fallback')).toBeNull();
    expect((await t.ctl.stats()).modelCalls.total).toBe(before);
    broken.close();
  });

  it('posts every fallback to the configured webhook, without secrets', async () => {
    const received: string[] = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    t = await startTestGateway({
      gateway: {
        port: 0,
        logLevel: 'info',
        webhook: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      },
    });
    const codex = await t.store.getProfile('openai-codex:default');
    await t.store.markNeedsReauth('openai-codex:default', codex!.refresh, 'refresh_token_reused', Date.now());
    await ask(t);
    for (let i = 0; i < 100 && received.length === 0; i++) await sleep(20);
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!)).toMatchObject({
      event: 'fallback',
      reason: 'needs_reauth',
      client: 'test-agent',
      chain: 'main',
    });
    for (const secret of t.secrets) expect(received[0]!.includes(secret)).toBe(false);
    hook.close();
  });
});
