import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { startTestGateway } from '../helpers/gateway.js';
import { allSettledWithin, keptAliveSocket } from '../helpers/net.js';

/**
 * Issue 23, "Keep-alive idle sockets": sockets that sent one request linger between requests, past the
 * header timeout (it only bounds a request's head). They count in the connection cap, are closed at it
 * after every socket that sent nothing, and close by themselves after gateway.httpKeepAliveTimeoutMs.
 */
function metric(text: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

describe('sockets kept alive after one request', () => {
  it('1,000 of them count in a cap of 400: the longest idle are closed, keyed clients are served', async () => {
    const t = await startTestGateway({
      gateway: {
        port: 0,
        logLevel: 'silent',
        headersTimeoutMs: 1000,
        maxConnections: 400,
        // Only the cap may close them here.
        httpKeepAliveTimeoutMs: 600_000,
      },
    });
    const sockets: ReturnType<typeof keptAliveSocket>[] = [];
    try {
      const port = Number(new URL(t.gateway.url).port);
      const closed = new Set<number>();
      // One after another, each answered before the next connects: at the cap, only kept-alive sockets
      // can make room (the order among sockets accepted together is src/gateway/connection-cap.test.ts's).
      for (let i = 0; i < 1000; i++) {
        const s = keptAliveSocket(port);
        void s.closed.then(() => closed.add(i));
        sockets.push(s);
        expect(await s.answered).toBe(true);
      }
      // Those closed at the cap: the first 600 answered, the longest idle; the deadline only bounds a failure.
      await allSettledWithin(
        sockets.slice(0, 600).map((s) => s.closed),
        30_000,
      );
      const survivorsClosed = [...closed].filter((i) => i >= 600).length;
      const firstClosed = [...closed].filter((i) => i < 600).length;
      // A new socket still gets in and is served (it makes room by closing one more).
      const res = await fetch(`${t.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` },
        body: JSON.stringify({ model: 'chain:codex-only', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
      const text = await (await fetch(`${t.gateway.url}/metrics`)).text();
      const keptAlive = metric(text, 'clawkeep_connections{state="keep_alive"}');
      const shed = metric(text, 'clawkeep_connections_shed_total{reason="keep_alive"}');
      console.log(
        `keep-alive flood: ${sockets.length} sockets answered once, ${firstClosed} of the first 600 and ${survivorsClosed} of the last 400 closed at the cap of 400; gateway counts ${keptAlive} kept alive, ${shed} shed`,
      );
      expect(firstClosed).toBe(600);
      expect(survivorsClosed).toBe(0);
      expect(keptAlive).toBeLessThanOrEqual(400);
      expect(shed).toBeGreaterThanOrEqual(600);
    } finally {
      for (const s of sockets) s.socket.destroy();
      await t.close();
    }
  }, 60_000);

  it('are closed after gateway.httpKeepAliveTimeoutMs; the default fits a local gateway', async () => {
    expect(ConfigSchema.parse({}).gateway.httpKeepAliveTimeoutMs).toBe(10_000);
    const t = await startTestGateway({
      gateway: { port: 0, logLevel: 'silent', httpKeepAliveTimeoutMs: 300 },
    });
    try {
      expect(t.gateway.server.keepAliveTimeout).toBe(300);
      const port = Number(new URL(t.gateway.url).port);
      const sockets = Array.from({ length: 100 }, () => keptAliveSocket(port));
      expect(await Promise.all(sockets.map((s) => s.answered))).not.toContain(false);
      let closed = 0;
      // Each closes 300 ms after its answer; the deadline only bounds a failure.
      await allSettledWithin(
        sockets.map((s) =>
          s.closed.then(() => {
            closed++;
          }),
        ),
        30_000,
      );
      expect(closed).toBe(sockets.length);
    } finally {
      await t.close();
    }
  });
});
