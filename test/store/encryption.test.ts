import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { mint } from '../helpers/emulator.js';
import { runCli } from '../helpers/processes.js';
import { ageProfile, integrityCheck, readRow } from '../helpers/store-fixtures.js';
import { runStorm } from '../helpers/storm.js';

const ID = 'openai-codex:enc';

interface Stats {
  refreshes: { byFamily: Record<string, number> };
  reuseHits: number;
  revokedFamilies: string[];
}

/** Every byte of the store's files (database, WAL, shared memory). */
function storeBytes(home: string): Buffer {
  return Buffer.concat(
    readdirSync(home)
      .filter((n) => n.startsWith('clawkeep.sqlite'))
      .map((n) => readFileSync(join(home, n))),
  );
}

describe('store encryption at rest, through the CLI and real broker processes', () => {
  let emulator: Emulator;
  let home: string;
  let familyId: string;
  const seen: string[] = [];

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'clawkeep-encrypt-'));
    const minted = await mint(emulator, 'openai-codex', 'enc@example.test');
    familyId = minted.familyId;
    seen.length = 0;
    seen.push(minted.access, minted.refresh);
    const added = await runCli(
      home,
      ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'enc'],
      {
        input: JSON.stringify(minted),
      },
    );
    expect(added.code, added.stderr).toBe(0);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const stats = async () => (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as Stats;

  /** Ages the token and lets 4 processes x 10 callers refresh it: one token, and it is the new one. */
  const rotate = async (): Promise<string> => {
    ageProfile(home, ID);
    const storm = await runStorm(home, ID, 4, 10, emulator.env());
    expect(Object.fromEntries(storm.errors)).toEqual({});
    expect(storm.tokens.size).toBe(1);
    const [token] = [...storm.tokens.keys()];
    seen.push(token!);
    return token!;
  };

  it('encrypt, rotate under encryption, rotate-key, decrypt: no token in the files, none lost, none reused', async () => {
    await rotate();
    const enc = await runCli(home, ['store', 'encrypt', '--json']);
    expect(enc.code, enc.stderr).toBe(0);
    const r = JSON.parse(enc.stdout) as { keyId: string; keptIn: string; profiles: number };
    expect(r.profiles).toBe(1);
    expect(r.keptIn).toBe(join(home, 'keys', `${r.keyId}.key`));

    // Rotations while encrypted: the broker's compare-and-set matches sealed columns.
    await rotate();
    await rotate();
    const row = readRow(home, ID)!;
    expect(String(row.refresh)).toMatch(/^ck1\./);
    const bytes = storeBytes(home);
    const leaked = seen.filter((t) => bytes.includes(Buffer.from(t)));
    expect(leaked, 'tokens found in the store files').toEqual([]);
    expect(leaked.length).toBe(0);

    const status = await runCli(home, ['store', 'status']);
    expect(status.stdout).toContain(`encryption  on (AES-256-GCM, key ${r.keyId}, found here)`);

    const rot = await runCli(home, ['store', 'rotate-key', '--json']);
    expect(rot.code, rot.stderr).toBe(0);
    const k2 = JSON.parse(rot.stdout) as { keyId: string; forgot: string };
    expect(k2.forgot).toBe(r.keyId);
    expect(existsSync(join(home, 'keys', `${r.keyId}.key`))).toBe(false);
    const afterRotate = await rotate();

    const dec = await runCli(home, ['store', 'decrypt', '--yes']);
    expect(dec.code, dec.stderr).toBe(0);
    expect(readRow(home, ID)).toMatchObject({ access: afterRotate });
    const last = await rotate();

    const s = await stats();
    expect(s.refreshes.byFamily[familyId]).toBe(5);
    expect(s.reuseHits).toBe(0);
    expect(s.revokedFamilies).toEqual([]);
    const tok = await runCli(home, ['token', ID], { env: emulator.env() });
    expect(tok.stdout.trim()).toBe(last);
    expect(integrityCheck(home)).toBe('ok');
  }, 180_000);

  it('a rotation storm running while the store is encrypted and its key rotated loses and reuses nothing', async () => {
    ageProfile(home, ID);
    const storm = runStorm(home, ID, 6, 20, emulator.env());
    const enc = await runCli(home, ['store', 'encrypt']);
    const rot = await runCli(home, ['store', 'rotate-key']);
    const done = await storm;
    expect(enc.code, enc.stderr).toBe(0);
    expect(rot.code, rot.stderr).toBe(0);
    expect(Object.fromEntries(done.errors)).toEqual({});
    expect(done.tokens.size).toBe(1);
    const s = await stats();
    expect(s.reuseHits).toBe(0);
    // Whatever interleaving happened, the row holds the live token, sealed with the current key.
    const row = readRow(home, ID)!;
    expect(String(row.access)).toMatch(/^ck1\./);
    const tok = await runCli(home, ['token', ID], { env: emulator.env() });
    expect(tok.code, tok.stderr).toBe(0);
    expect(tok.stdout.trim()).toBe([...done.tokens.keys()][0]);
    await rotate();
    expect((await stats()).reuseHits).toBe(0);
  }, 180_000);

  it('without its key the store is reported as locked (never corrupt), and CLAWKEEP_STORE_KEY opens it', async () => {
    const enc = await runCli(home, ['store', 'encrypt', '--json']);
    const { keyId, keptIn } = JSON.parse(enc.stdout) as { keyId: string; keptIn: string };
    const key = readFileSync(keptIn, 'utf8').trim();
    rmSync(keptIn);

    const tok = await runCli(home, ['token', ID]);
    expect(tok.code).not.toBe(0);
    expect(tok.stderr).toContain(`encrypted with key ${keyId}`);
    expect(tok.stderr).toContain('CLAWKEEP_STORE_KEY');
    expect(tok.stderr).not.toContain('corrupt');

    const doc = await runCli(home, ['doctor', '--json'], {
      // HOME without ~/.openclaw (a $OPENCLAW_STATE_DIR naming a missing dir is an error of its own).
      env: { HOME: home },
    });
    const findings = (
      JSON.parse(doc.stdout) as { checks: Array<{ findings: Array<{ code: string }> }> }
    ).checks
      .flatMap((c) => c.findings)
      .map((f) => f.code);
    expect(findings).toContain('store_key_missing');
    expect(findings).not.toContain('store_corrupt');

    const st = await runCli(home, ['store', 'status']);
    expect(st.code).toBe(1);
    expect(st.stdout).toContain('no key source here holds it');

    const withEnv = await runCli(home, ['token', ID], { env: { CLAWKEEP_STORE_KEY: key } });
    expect(withEnv.code, withEnv.stderr).toBe(0);
    expect(withEnv.stdout.trim()).toBe(seen[0]);
  }, 60_000);

  it('bad key input is named without echoing it; an unavailable keyring changes nothing', async () => {
    const bad = await runCli(home, ['store', 'encrypt', '--key-store', 'env'], {
      env: { CLAWKEEP_STORE_KEY: 'fake-not-a-key-value' },
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('CLAWKEEP_STORE_KEY is not a store key');
    expect(bad.stderr).not.toContain('fake-not-a-key-value');

    const missing = await runCli(home, ['store', 'encrypt', '--key-store', 'env']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('CLAWKEEP_STORE_KEY');

    // This machine has no Secret Service (no D-Bus session): the keyring is refused with a way out.
    const kr = await runCli(home, ['store', 'encrypt', '--key-store', 'keyring']);
    if (kr.code === 0) {
      console.warn('an OS keyring is available here: the unavailable-keyring case was not exercised');
      return;
    }
    expect(kr.stderr).toContain('OS keyring is not available');
    expect(kr.stderr).toContain('--key-store file');
    expect(String(readRow(home, ID)!.refresh)).toBe(seen[1]);
    expect(existsSync(join(home, 'keys'))).toBe(false);
  }, 60_000);
});
