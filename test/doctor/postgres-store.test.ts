import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { runCli } from '../helpers/processes.js';

/** Issue 9: `clawkeep doctor` checks the store a fleet uses, not a SQLite file the home does not hold. */
describe('doctor on a PostgreSQL store', () => {
  let home: string;
  let url: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'clawkeep-doctor-pg-'));
    url = await createTestDatabase('doc');
    const { store } = openStore({ home, location: url });
    await store.insertProfile(
      { id: 'anthropic:key', type: 'api_key', access: 'sk-emu-doctor-test' },
      Date.now(),
    );
    await store.close();
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('reports the PostgreSQL store as reachable with its schema and profiles', async () => {
    const r = await runCli(home, ['doctor', '--json'], { env: { CLAWKEEP_STORE: url } });
    const report = JSON.parse(r.stdout) as {
      checks: { id: string; findings: { code: string; message: string }[] }[];
    };
    const store = report.checks.find((c) => c.id === 'clawkeep-store');
    expect(store?.findings).toEqual([
      expect.objectContaining({ code: 'store_ok', message: expect.stringMatching(/1 profile/) }),
    ]);
    expect(r.stdout).not.toContain(new URL(url).password);
  });

  it('names a server it cannot reach, without its password', async () => {
    const dead = new URL(url);
    dead.port = '1';
    const r = await runCli(home, ['doctor', '--json'], { env: { CLAWKEEP_STORE: dead.toString() } });
    const report = JSON.parse(r.stdout) as {
      checks: { id: string; findings: { code: string; severity: string }[] }[];
    };
    const store = report.checks.find((c) => c.id === 'clawkeep-store');
    expect(store?.findings[0]).toMatchObject({ severity: 'error', code: 'store_unreachable' });
    expect(r.stdout).not.toContain(dead.password);
    expect(r.code).not.toBe(0);
  });
});
