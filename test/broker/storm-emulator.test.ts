import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { mint } from '../helpers/emulator.js';
import { runCli } from '../helpers/processes.js';
import { ageProfile, integrityCheck, readRow } from '../helpers/store-fixtures.js';
import { runStorm } from '../helpers/storm.js';

const PROCS = 8;
const PER_PROCESS = 50;
// Ten rotations per reuse mode: each is a fresh storm of 400 callers (bench/refresh-storm runs longer ones).
const ROTATIONS = 10;

interface Stats {
  refreshes: { total: number; byFamily: Record<string, number> };
  reuseHits: number;
  revokedFamilies: string[];
}

for (const reuse of ['strict', 'family'] as const) {
  describe(`refresh storm against the emulator (${reuse})`, () => {
    let emulator: Emulator;
    let home: string;

    beforeAll(async () => {
      emulator = await startEmulator({ reuse: { kind: reuse } });
      home = mkdtempSync(join(tmpdir(), `clawkeep-storm-${reuse}-`));
    });
    afterAll(async () => {
      await emulator.close();
      rmSync(home, { recursive: true, force: true });
    });

    it(`${PROCS} processes x ${PER_PROCESS} callers: one refresh per rotation, zero reuse, one token, ${ROTATIONS} times`, async () => {
      const minted = await mint(emulator, 'openai-codex', 'storm@example.test');
      const added = await runCli(
        home,
        ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'storm'],
        {
          input: JSON.stringify(minted),
        },
      );
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      const env = emulator.env();
      let previous = minted.access;
      for (let round = 1; round <= ROTATIONS; round++) {
        ageProfile(home, 'openai-codex:storm');
        const storm = await runStorm(home, 'openai-codex:storm', PROCS, PER_PROCESS, env);
        expect(storm.errors.size, `round ${round} errors`).toBe(0);
        expect(storm.callers).toBe(PROCS * PER_PROCESS);
        expect(storm.tokens.size, `round ${round}: every caller got the same token`).toBe(1);
        const [token] = [...storm.tokens.keys()];
        expect(token).not.toBe(previous);
        previous = token!;
        const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;
        expect(stats.refreshes.byFamily[minted.familyId], `round ${round}: refreshes so far`).toBe(round);
        expect(stats.reuseHits).toBe(0);
        expect(stats.revokedFamilies).toEqual([]);
        expect(readRow(home, 'openai-codex:storm')).toMatchObject({ generation: round + 1, access: token });
      }
      // The last token is accepted by the model endpoint, i.e. it is genuinely valid.
      const res = await fetch(`${env.CLAWKEEP_OPENAI_CODEX_BASE_URL}/responses`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${previous}`,
          'chatgpt-account-id': minted.accountId,
          'content-type': 'application/json',
          'openai-beta': 'responses=experimental',
        },
        // a request the Codex backend takes: streamed, not stored, instructions, input as a list
        body: JSON.stringify({
          model: 'gpt-5',
          instructions: 'be brief',
          input: [{ role: 'user', content: 'hi' }],
          store: false,
          stream: true,
        }),
      });
      expect(res.status).toBe(200);
      await res.text();
      expect(integrityCheck(home)).toBe('ok');
    }, 240_000);
  });
}
