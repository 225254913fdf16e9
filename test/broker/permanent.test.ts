import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { mint } from '../helpers/emulator.js';
import { runCli } from '../helpers/processes.js';
import { ageProfile, readRow } from '../helpers/store-fixtures.js';

const REASON = { 'openai-codex': 'refresh_token_reused', anthropic: 'invalid_grant' } as const;

describe.each(['openai-codex', 'anthropic'] as const)('%s against the emulator', (provider) => {
  let emulator: Emulator;
  let home: string;
  const id = `${provider}:p`;
  const stats = async () =>
    (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as {
      rotations: number;
      tokenRequests: number;
      reuseHits: number;
    };
  const token = () => runCli(home, ['token', id], { env: emulator.env() });

  beforeAll(async () => {
    emulator = await startEmulator({ reuse: { kind: 'strict' } });
    home = mkdtempSync(join(tmpdir(), `clawkeep-${provider}-`));
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('refreshes with the real body format, then a spent token becomes needs_reauth with no further calls', async () => {
    const minted = await mint(emulator, provider, `${provider}@example.test`);
    expect(
      (
        await runCli(home, ['profiles', 'add-oauth', '--provider', provider, '--name', 'p'], {
          input: JSON.stringify(minted),
        })
      ).code,
    ).toBe(0);
    ageProfile(home, id);
    const fresh = await token();
    expect(fresh.code).toBe(0);
    expect(fresh.stdout.trim()).not.toBe(minted.access);
    expect(readRow(home, id)).toMatchObject({
      generation: 2,
      account_id: minted.accountId,
      email: minted.email,
    });
    expect((await stats()).rotations).toBe(1);

    // Provision the already-spent tokens again (as a stale copy from another tool would be).
    const forced = await runCli(
      home,
      ['profiles', 'add-oauth', '--provider', provider, '--name', 'p', '--force'],
      {
        input: JSON.stringify(minted),
      },
    );
    expect(forced.code).toBe(0);
    ageProfile(home, id);
    const spent = await token();
    expect(spent.code).toBe(1);
    expect(spent.stderr).toContain(`needs re-authentication (${REASON[provider]})`);
    const after = await stats();
    for (let i = 0; i < 3; i++) expect((await token()).code).toBe(1);
    expect((await stats()).tokenRequests).toBe(after.tokenRequests);
    const list = await runCli(home, ['profiles', 'list']);
    expect(list.code).toBe(1);
    expect(list.stdout).toContain(`needs_reauth [${REASON[provider]}]`);
  });
});
