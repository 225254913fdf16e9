import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { createClient } from '../../src/gateway/clients.js';
import { startGateway } from '../../src/gateway/server.js';
import { createLogger } from '../../src/runtime/log.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { allSettledWithin, idleSocket } from '../helpers/net.js';

/** Issue 14: bodies, model names, metric labels, the Host header, per-client concurrency, binding off loopback. */
describe('gateway abuse: every client input bounded before it costs anything', () => {
  let t: TestGateway;
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}`, ...headers },
      body,
    });
  const upstreamCalls = async () => (await t.ctl.requests()).length;

  beforeAll(async () => {
    t = await startTestGateway({
      gateway: {
        port: 0,
        logLevel: 'info',
        maxBodyBytes: 1024 * 1024,
        maxJsonDepth: 64,
        maxConcurrentPerClient: 2,
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a deeply nested body and an oversized one before parsing or any upstream call', async () => {
    await t.ctl.clearRequests();
    const deep = `{"model":"chain:main","messages":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const heapBefore = process.memoryUsage().heapUsed;
    const nested = await post(deep);
    expect(nested.status).toBe(400);
    expect(((await nested.json()) as { error: { message: string } }).error.message).toMatch(/deeper than 64/);
    const big = await post(JSON.stringify({ model: 'chain:main', pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect(big.status).toBe(413);
    await big.text();
    console.log(
      `abuse: heap grew ${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)} MB for a 200k-deep and a 2 MiB body`,
    );
    expect(await upstreamCalls()).toBe(0);
  });

  it('refuses control and non-Latin-1 characters in the model with 400 before any upstream call', async () => {
    await t.ctl.clearRequests();
    for (const model of ['gpt-5\r\nx-injected: 1', 'gpt-\u0000', 'gpt-模型']) {
      const res = await post(JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }));
      expect(res.status, JSON.stringify(model)).toBe(400);
      await res.text();
    }
    expect(await upstreamCalls()).toBe(0);
  });

  it('10,000 distinct model names make a bounded number of metric series and cooldown entries', async () => {
    // Two at a time: the cap of this gateway's clients.
    const { key } = await createClient(t.store, 'flood', null);
    const flood = (model: string) =>
      fetch(`${t.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
      }).then((r) => r.text());
    for (let i = 0; i < 10_000; i += 2)
      await Promise.all([flood(`gpt-bogus-${i}`), flood(`gpt-bogus-${i + 1}`)]);
    const metrics = await (await fetch(`${t.gateway.url}/metrics`)).text();
    const series = metrics.split('\n').filter((l) => l.startsWith('clawkeep_')).length;
    console.log(`abuse: ${series} metric series after 10,000 model names, /metrics ${metrics.length} bytes`);
    expect(series).toBeLessThan(200);
    expect(metrics).not.toContain('gpt-bogus-');
    expect(t.gateway.cooldowns.list().length).toBeLessThanOrEqual(10_000);
  }, 180_000);

  it('caps requests in flight per client key with 429 and Retry-After; others are still served', async () => {
    await t.ctl.addFault({ target: 'model', provider: 'openai-codex', latencyMs: 1500 });
    await t.ctl.clearRequests();
    const slow = [1, 2].map(() =>
      post(JSON.stringify({ model: 'chain:main', messages: [{ role: 'user', content: 'x' }] })),
    );
    // Both are in flight once the upstream holds them (it records a request before its latency).
    for (const until = Date.now() + 20_000; (await upstreamCalls()) < 2; ) {
      if (Date.now() > until) throw new Error('the two slow requests never reached the upstream');
      await new Promise((r) => setTimeout(r, 20));
    }
    const third = await post(
      JSON.stringify({ model: 'chain:main', messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    await third.text();
    for (const r of await Promise.all(slow)) {
      expect(r.status).toBe(200);
      await r.text();
    }
    await t.ctl.clearFaults();
  });

  it('answers only loopback Host names (DNS rebinding)', async () => {
    const { request } = await import('undici');
    const res = await request(`${t.gateway.url}/healthz`, { headers: { host: 'evil.example:80' } });
    expect(res.statusCode).toBe(421);
    await res.body.text();
    const ok = await request(`${t.gateway.url}/healthz`, { headers: { host: 'localhost' } });
    expect(ok.statusCode).toBe(200);
    await ok.body.text();
  });
});

describe('a gateway bound off loopback', () => {
  it('refuses to start without a client key; with one, /metrics and /readyz need it', async () => {
    const t = await startTestGateway();
    try {
      const config = ConfigSchema.parse({ gateway: { host: '0.0.0.0', port: 0 } });
      const log = createLogger('silent');
      const empty = await import('../../src/store/open-store.js').then(({ openStore }) =>
        openStore({ home: `${t.home}/other` }),
      );
      await expect(startGateway({ store: empty.store, config, log })).rejects.toMatchObject({
        code: 'config_invalid',
        message: expect.stringMatching(/no client key/),
        hint: expect.stringMatching(/clients add/),
      });
      await empty.store.close();
      const gw = await startGateway({ store: t.store, config, log });
      try {
        const port = new URL(gw.url).port;
        const open = await fetch(`http://127.0.0.1:${port}/metrics`);
        expect(open.status).toBe(401);
        await open.text();
        const keyed = await fetch(`http://127.0.0.1:${port}/metrics`, {
          headers: { authorization: `Bearer ${t.key}` },
        });
        expect(keyed.status).toBe(200);
        await keyed.text();
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(ready.status).toBe(401);
        await ready.text();
      } finally {
        await gw.close(100);
      }
    } finally {
      await t.close();
    }
  });
});

describe('an idle-socket flood', () => {
  it('closes sockets that send nothing and keeps serving keyed requests', async () => {
    const t = await startTestGateway({
      gateway: { port: 0, logLevel: 'silent', headersTimeoutMs: 1000, maxConnections: 1000 },
    });
    try {
      const { port } = new URL(t.gateway.url);
      let closed = 0;
      const connected: Promise<void>[] = [];
      const allClosed: Promise<void>[] = [];
      const sockets = Array.from({ length: 150 }, () => {
        const s = idleSocket(Number(port));
        allClosed.push(
          s.closed.then(() => {
            closed++;
          }),
        );
        connected.push(s.connected.then(() => undefined));
        return s.socket;
      });
      await Promise.all(connected);
      // A keyed request in the middle of the flood is served.
      const res = await fetch(`${t.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` },
        body: JSON.stringify({ model: 'chain:codex-only', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
      // Each is closed about a second after it was accepted; the deadline only bounds a failure.
      const t0 = Date.now();
      await allSettledWithin(allClosed, 20_000);
      console.log(
        `idle flood: ${closed} of ${sockets.length} idle sockets closed by the gateway (waited ${Date.now() - t0} ms after the keyed request)`,
      );
      expect(closed).toBe(sockets.length);
      for (const s of sockets) s.destroy();
    } finally {
      await t.close();
    }
  }, 30_000);
});
