import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { createClient } from '../../src/gateway/clients.js';
import { type RunningGateway, startGateway } from '../../src/gateway/server.js';
import { createLogger } from '../../src/runtime/log.js';
import { openStore, STORE_FILE } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { withWriteWorker } from '../../src/store/worker/write-worker-store.js';

/** A process that takes the store's write lock and holds it for `ms`. */
function holdWriteLock(path: string, ms: number): Promise<() => Promise<void>> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(path)});
    db.exec('BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('ROLLBACK'); process.exit(0); }, ${ms});
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', () =>
      resolve(
        () =>
          new Promise<void>((done) => (child.exitCode !== null ? done() : child.once('exit', () => done()))),
      ),
    );
  });
}

describe('issue 14: a held store lock does not freeze the gateway', () => {
  let home: string;
  let store: Store;
  let gateway: RunningGateway;
  let key: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'clawkeep-lock-'));
    const opened = openStore({ home });
    store = withWriteWorker(opened.store, join(home, STORE_FILE));
    key = (await createClient(store, 'agent', null)).key;
    gateway = await startGateway({
      store,
      config: ConfigSchema.parse({ gateway: { port: 0 } }),
      log: createLogger('silent'),
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('serves requests while another process holds the write lock and event writes wait', async () => {
    const released = await holdWriteLock(join(home, STORE_FILE), 8000);
    // Writes while the lock is held, as the gateway's event buffer makes them (every 200 ms), and
    // requests on the request path meanwhile. On the event loop each write would busy-wait 5 s.
    const writes: Promise<void>[] = [];
    const writer = setInterval(() => {
      writes.push(store.appendEvent({ profileId: null, kind: 'fallback', data: { test: true } }, Date.now()));
    }, 200);
    const latencies: number[] = [];
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const t0 = performance.now();
      const res = await fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      await res.text();
      latencies.push(performance.now() - t0);
    }
    clearInterval(writer);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
    console.log(`lock held: ${latencies.length} requests served in 3 s, p99 ${p99.toFixed(1)} ms`);
    // Frozen, the loop would have served one or two requests in 3 s (a 5 s busy wait each).
    expect(latencies.length).toBeGreaterThan(20);
    await released();
    await Promise.all(writes);
    expect((await store.listEvents()).some((e) => e.kind === 'fallback')).toBe(true);
  }, 60_000);
});
