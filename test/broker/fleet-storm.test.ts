import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { mint } from '../helpers/emulator.js';
import { agePgProfile, readPgRow } from '../helpers/pg-fixtures.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { runCli } from '../helpers/processes.js';
import { runStorm } from '../helpers/storm.js';

const HOSTS = 4;
const PER_HOST = 2;
const PER_PROCESS = 50;
const ROTATIONS = 10;

interface Stats {
  refreshes: { total: number; byFamily: Record<string, number> };
  reuseHits: number;
  revokedFamilies: string[];
}

for (const reuse of ['strict', 'family'] as const) {
  describe(`fleet storm on one PostgreSQL against the emulator (${reuse})`, () => {
    let emulator: Emulator;
    let home: string;
    let url: string;

    beforeAll(async () => {
      emulator = await startEmulator({ reuse: { kind: reuse } });
      home = mkdtempSync(join(tmpdir(), `clawkeep-fleet-${reuse}-`));
      url = await createTestDatabase('fleet');
    });
    afterAll(async () => {
      await emulator.close();
      rmSync(home, { recursive: true, force: true });
    });

    it(`${HOSTS} hosts x ${PER_HOST} processes x ${PER_PROCESS} callers: one token call per rotation, ${ROTATIONS} times`, async () => {
      const minted = await mint(emulator, 'openai-codex', 'fleet@example.test');
      const env = { ...emulator.env(), CLAWKEEP_STORE: url };
      const added = await runCli(
        home,
        ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'fleet'],
        {
          input: JSON.stringify(minted),
          env,
        },
      );
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      let previous = minted.access;
      for (let round = 1; round <= ROTATIONS; round++) {
        await agePgProfile(url, 'openai-codex:fleet');
        const storm = await runStorm(home, 'openai-codex:fleet', HOSTS * PER_HOST, PER_PROCESS, env, (i) => ({
          CLAWKEEP_HOST_ID: `host-${i % HOSTS}`,
        }));
        expect(Object.fromEntries(storm.errors), `round ${round} errors`).toEqual({});
        expect(storm.callers).toBe(HOSTS * PER_HOST * PER_PROCESS);
        expect(storm.tokens.size, `round ${round}: every caller on every host got the same token`).toBe(1);
        const [token] = [...storm.tokens.keys()];
        expect(token).not.toBe(previous);
        previous = token!;
        const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;
        expect(stats.refreshes.byFamily[minted.familyId], `round ${round}: token calls so far`).toBe(round);
        expect(stats.reuseHits).toBe(0);
        expect(stats.revokedFamilies).toEqual([]);
        expect(await readPgRow(url, 'openai-codex:fleet')).toMatchObject({
          generation: round + 1,
          access: token,
          status: 'ok',
          lease_owner: null,
        });
      }
    }, 300_000);
  });
}
