import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { encryptStore, rotateStoreKey } from '../../src/store/crypto/encryption.js';
import { keyFilePath } from '../../src/store/crypto/key-store.js';
import { openStore } from '../../src/store/open-store.js';
import { PENDING_DIR } from '../../src/store/rotation-journal.js';
import { fingerprint } from '../../src/util/fingerprint.js';
import { FaultPlan, faultyStore } from './faulty.js';
import { brokerFor, emulatorStats, PROFILE, pendingFiles, seedHome } from './harness.js';

/** The journal's record files (tokens), not reservations (padding). */
const records = (home: string) =>
  pendingFiles(home)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(home, PENDING_DIR, f));

describe('the pending-rotation journal of an encrypted store holds sealed tokens only', () => {
  let emulator: Emulator;
  let dir: string;

  beforeAll(async () => {
    emulator = await startEmulator({ reuse: { kind: 'strict' } });
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-sealed-journal-'));
  });
  afterAll(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a held rotation is journaled sealed, re-sealed by rotate-key, and adopted by the doctor with the new key', async () => {
    const home = join(dir, 'held');
    await seedHome(emulator, home, 'held@example.test');
    const { store } = openStore({ home });
    const enc = await encryptStore(store, { home }, { keyStore: 'file' });
    // Every commit fails: the rotated tokens stay in memory and in the journal.
    const plan = new FaultPlan((label) => label === 'store.commitRotation');
    const broker = brokerFor(faultyStore(store, plan), emulator);
    const token = await broker.getAccessToken(PROFILE);
    broker.close();
    expect((await emulatorStats(emulator)).rotations).toBe(1);
    const [file] = records(home);
    expect(file, 'the rotation was journaled').toBeDefined();
    const sealed = JSON.parse(readFileSync(file!, 'utf8')) as { tokens: { access: string; refresh: string } };
    expect(readFileSync(file!, 'utf8')).not.toContain(token);
    expect(sealed.tokens.access.startsWith(`ck1.${enc.keyId}.`)).toBe(true);
    expect(sealed.tokens.refresh.startsWith(`ck1.${enc.keyId}.`)).toBe(true);

    // A reservation of a live process (this one) means a rotation may be sealing with the old key: keep it.
    const reserve = join(home, PENDING_DIR, `openai-codex_f.${process.pid}-0badcafe.reserve`);
    writeFileSync(reserve, ' ', { mode: 0o600 });
    const kept = await rotateStoreKey(store, { home }, { keyStore: 'file' });
    expect(kept).toMatchObject({
      previousKeyId: enc.keyId,
      forgot: null,
      keptOld: enc.keyId,
      pending: [file],
    });
    expect(existsSync(keyFilePath(home, enc.keyId!))).toBe(true);
    rmSync(reserve);
    // Nothing in flight: the next rotation re-seals the record and forgets the retired key.
    const next = await rotateStoreKey(store, { home }, { keyStore: 'file' });
    expect(next).toMatchObject({
      previousKeyId: kept.keyId,
      forgot: kept.keyId,
      keptOld: null,
      pending: [file],
    });
    expect(existsSync(keyFilePath(home, kept.keyId!))).toBe(false);
    const resealed = JSON.parse(readFileSync(file!, 'utf8')) as { tokens: { access: string } };
    expect(resealed.tokens.access.startsWith(`ck1.${next.keyId}.`)).toBe(true);
    await store.close();

    // Without the key the record is reported as locked away (restore the key), never as junk to move aside.
    const keyFile = keyFilePath(home, next.keyId!);
    renameSync(keyFile, `${keyFile}.away`);
    const locked = await runDoctor({ clawkeepHome: home, openclawHomes: [] });
    const finding = locked.checks
      .flatMap((c) => c.findings)
      .find((f) => f.code === 'pending_rotation_unreadable');
    expect(finding?.message).toContain(next.keyId);
    expect(finding?.next).toContain('CLAWKEEP_STORE_KEY');
    expect(JSON.stringify(locked)).not.toContain(token);
    expect(existsSync(file!)).toBe(true);
    renameSync(`${keyFile}.away`, keyFile);

    // With it, the doctor writes the journaled tokens into the store: the served token is the stored one.
    const fixed = await runDoctor({ clawkeepHome: home, openclawHomes: [], fix: true });
    expect(fixed.fixes?.filter((f) => f.result.status !== 'fixed')).toEqual([]);
    expect(records(home)).toEqual([]);
    const again = openStore({ home }).store;
    try {
      const row = await again.getProfile(PROFILE);
      expect(row).toMatchObject({ generation: 2, status: 'ok' });
      expect(fingerprint(row?.access)).toBe(fingerprint(token));
      expect(await again.tokenKeyId()).toBe(next.keyId);
    } finally {
      await again.close();
    }
    expect((await emulatorStats(emulator)).reuseHits).toBe(0);
  });
});
