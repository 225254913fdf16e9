import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { mint } from '../helpers/emulator.js';
import { type DedicatedPostgres, startDedicatedPostgres } from '../helpers/postgres.js';
import { runCli } from '../helpers/processes.js';
import { runStorm } from '../helpers/storm.js';

const HOSTS = 4;
const PER_HOST = 2;
const PER_PROCESS = 20;
const ROUNDS = 4;
const ID = 'openai-codex:r';

interface Stats {
  refreshes: { total: number; byFamily: Record<string, number> };
  rotations: number;
  reuseHits: number;
  revokedFamilies: string[];
}

describe('fleet storm with PostgreSQL restarted mid-storm', () => {
  let server: DedicatedPostgres;
  let emulator: Emulator;
  let home: string;
  beforeAll(async () => {
    server = await startDedicatedPostgres();
    emulator = await startEmulator({ reuse: { kind: 'family' } });
    home = mkdtempSync(join(tmpdir(), 'clawkeep-fleet-restart-'));
  });
  afterAll(async () => {
    await emulator?.close();
    server?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const query = async (url: string, sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  it('nothing presented twice, nothing lost, no loop; callers get the one token or a retryable store error', async () => {
    const url = await server.createDatabase('restart');
    const env = { ...emulator.env(), CLAWKEEP_STORE: url };
    const minted = await mint(emulator, 'openai-codex', 'restart@example.test');
    const added = await runCli(home, ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'r'], {
      input: JSON.stringify(minted),
      env,
    });
    expect(added.code).toBe(0);
    // A slow token endpoint, so the restart lands between the lease claim and the commit.
    await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: 'token', latencyMs: 800 }),
    });
    for (let round = 1; round <= ROUNDS; round++) {
      const now = Date.now();
      // Expiring in 20 s: deep in the window, and still valid while the server restarts.
      await query(url, `UPDATE profiles SET expires = ${now + 20_000}, issued_at = ${now - 3_600_000}`);
      const storm = runStorm(home, ID, HOSTS * PER_HOST, PER_PROCESS, env, (i) => ({
        CLAWKEEP_HOST_ID: `host-${i % HOSTS}`,
      }));
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const [held] = await query(url, `SELECT lease_owner FROM profiles WHERE id = '${ID}'`);
        if (held.lease_owner) break;
        await sleep(20);
      }
      await server.restart(round % 2 === 0 ? 'immediate' : 'fast');
      const result = await storm;
      for (const code of result.errors.keys()) expect(['store_unreachable', 'lease_timeout']).toContain(code);
      expect(result.tokens.size, `round ${round}: one token for everyone who got one`).toBeLessThanOrEqual(1);
      const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;
      expect(stats.reuseHits, `round ${round}: a spent token was presented`).toBe(0);
      expect(stats.revokedFamilies).toEqual([]);
      const [row] = await query(url, `SELECT generation, access, status FROM profiles WHERE id = '${ID}'`);
      // Every rotation the provider made is in the store: none lost with a dropped connection.
      expect(Number(row.generation), `round ${round}: generation vs rotations`).toBe(stats.rotations + 1);
      expect(row.status).toBe('ok');
      if (result.tokens.size === 1) expect([...result.tokens.keys()][0]).toBe(row.access);
      expect(stats.refreshes.total).toBeLessThanOrEqual(round);
    }
  }, 300_000);
});
