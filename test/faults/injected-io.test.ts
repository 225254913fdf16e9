import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { openStore } from '../../src/store/open-store.js';
import { fingerprint } from '../../src/util/fingerprint.js';
import { FaultPlan, faultyIo, faultyStore } from './faulty.js';
import {
  ageStored,
  brokerFor,
  describeFailure,
  emulatorStats,
  PROFILE,
  pendingFiles,
  STORE_CODES,
  seedHome,
} from './harness.js';

/** One rotation against a store and journal that fail as `plan` says; what the caller got. */
async function rotateWith(emulator: Emulator, home: string, plan: FaultPlan) {
  const { store } = openStore({ home });
  const broker = brokerFor(faultyStore(store, plan), emulator, { journalIo: faultyIo(plan) });
  try {
    return { token: await broker.getAccessToken(PROFILE), error: null, broker, store };
  } catch (err) {
    return { token: null, error: describeFailure(err), broker, store };
  }
}

/** The next process (or the doctor, then the next process) finds the profile usable, twice over. */
async function expectRecovered(
  emulator: Emulator,
  home: string,
  viaDoctor: boolean,
  rotatedTo: string | null,
) {
  if (viaDoctor) {
    const report = await runDoctor({ clawkeepHome: home, openclawHomes: [], fix: true });
    expect(report.fixes?.filter((f) => f.result.status !== 'fixed')).toEqual([]);
  }
  const { store } = openStore({ home });
  const broker = brokerFor(store, emulator);
  try {
    const token = await broker.getAccessToken(PROFILE);
    if (rotatedTo !== null) expect(fingerprint(token)).toBe(fingerprint(rotatedTo));
    expect(pendingFiles(home).filter((f) => f.endsWith('.json'))).toEqual([]);
  } finally {
    broker.close();
    await store.close();
  }
  await ageStored(home);
  const again = openStore({ home }).store;
  try {
    await brokerFor(again, emulator).getAccessToken(PROFILE);
    expect((await again.getProfile(PROFILE))?.status).toBe('ok');
  } finally {
    await again.close();
  }
}

describe('an I/O error at each write of a rotation never loses the rotated token (no root needed)', () => {
  let emulator: Emulator;
  let dir: string;

  beforeAll(async () => {
    emulator = await startEmulator({ reuse: { kind: 'strict' } });
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-faults-'));
  });
  afterAll(async () => {
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the 1st, 2nd, … nth write (store and journal) in turn', async () => {
    // A clean rotation first, to learn its writes.
    const clean = new FaultPlan(() => false);
    const h0 = join(dir, 'clean');
    await seedHome(emulator, h0, 'clean@example.test');
    const r0 = await rotateWith(emulator, h0, clean);
    r0.broker.close();
    await r0.store.close();
    expect(r0.error).toBeNull();
    const writes = clean.log;
    expect(writes).toContain('store.claimLease');
    expect(writes).toContain('store.commitRotation');
    expect(writes).toContain('fs.renameSync');
    const outcomes: string[] = [];
    for (let n = 1; n <= writes.length; n++) {
      const home = join(dir, `nth-${n}`);
      const minted = await seedHome(emulator, home, `nth-${n}@example.test`);
      const before = await emulatorStats(emulator);
      const plan = FaultPlan.nth(n);
      const r = await rotateWith(emulator, home, plan);
      const rotated = (await emulatorStats(emulator)).rotations > before.rotations;
      r.broker.close();
      await r.store.close();
      let outcome: string;
      if (r.error) {
        expect(STORE_CODES, r.error.message).toContain(r.error.code);
        expect(r.error.message).not.toMatch(/\n\s+at /);
        expect(rotated, `a refresh token was spent, then ${r.error.code} reached the caller`).toBe(false);
        outcome = `refused before presenting (${r.error.code})`;
      } else {
        expect(fingerprint(r.token) === fingerprint(minted.access)).toBe(!rotated);
        const { store } = openStore({ home });
        const committed = (await store.getProfile(PROFILE))?.generation === 2;
        await store.close();
        const journaled = pendingFiles(home).some((f) => f.endsWith('.json'));
        outcome = !rotated
          ? 'served the old token, nothing presented'
          : !committed
            ? 'rotated, held in the journal, served'
            : journaled
              ? 'rotated and committed (journal file left for the next run)'
              : 'rotated and committed';
      }
      outcomes.push(`write ${n} (${writes[n - 1]}) fails: ${outcome}`);
      expect((await emulatorStats(emulator)).reuseHits).toBe(0);
      await expectRecovered(emulator, home, n % 2 === 0, rotated ? r.token : null);
      expect((await emulatorStats(emulator)).reuseHits, `reuse after failing write ${n}`).toBe(0);
    }
    console.log(`injected I/O errors:\n${outcomes.join('\n')}`);
    expect(outcomes.some((o) => o.includes('held in the journal, served'))).toBe(true);
  });

  it('journal and store both failing: served from memory, journaled once the disk heals, committed once the store does', async () => {
    const home = join(dir, 'both');
    await seedHome(emulator, home, 'both@example.test');
    let journalHealed = false;
    let storeHealed = false;
    let writes = 0;
    // The reservation succeeds; then the record write fails until the journal heals, every commit until the store does.
    const plan = new FaultPlan((label) => {
      if (label === 'fs.writeSync') writes++;
      if (label === 'fs.writeSync' && writes > 1) return !journalHealed;
      return label === 'store.commitRotation' && !storeHealed;
    });
    const before = await emulatorStats(emulator);
    const r = await rotateWith(emulator, home, plan);
    const journaled = () => pendingFiles(home).filter((f) => f.endsWith('.json'));
    try {
      expect(r.error).toBeNull();
      expect((await emulatorStats(emulator)).rotations).toBe(before.rotations + 1);
      expect((await r.store.getProfile(PROFILE))?.generation).toBe(1);
      expect(journaled()).toEqual([]);
      journalHealed = true;
      for (let i = 0; i < 100 && journaled().length === 0; i++) await sleep(50);
      expect(journaled()).toHaveLength(1);
      storeHealed = true;
      let row = await r.store.getProfile(PROFILE);
      for (let i = 0; i < 200 && row?.generation === 1; i++) {
        await sleep(50);
        row = await r.store.getProfile(PROFILE);
      }
      expect(row?.generation).toBe(2);
      expect(fingerprint(row?.access)).toBe(fingerprint(r.token));
    } finally {
      r.broker.close();
      await r.store.close();
    }
    await expectRecovered(emulator, home, false, r.token);
    expect((await emulatorStats(emulator)).reuseHits).toBe(0);
  });
});
