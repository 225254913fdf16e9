import { mkdirSync, mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { openStore } from '../../src/store/open-store.js';
import { fingerprint } from '../../src/util/fingerprint.js';
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
import { mountTmpfs, unmount } from './tmpfs.js';

function freeBytes(dir: string): number {
  const st = statfsSync(dir);
  return st.bavail * st.bsize;
}

/** Fills the file system until exactly `left` bytes are free (tmpfs counts whole 4 KiB pages). */
function fillTo(mnt: string, left: number): number {
  const filler = join(mnt, 'filler');
  const extra = freeBytes(mnt) - left;
  if (extra > 0) writeFileSync(filler, Buffer.alloc(extra, 1));
  return freeBytes(mnt);
}

const base = mkdtempSync(join(tmpdir(), 'clawkeep-full-'));
const mnt = join(base, 'mnt');
mkdirSync(mnt);
const skipReason = mountTmpfs(mnt, '2m');

describe.skipIf(skipReason !== null)('a full disk never loses a rotated token (2 MiB tmpfs)', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ reuse: { kind: 'strict' } });
  });
  afterAll(async () => {
    await emulator?.close();
    if (!skipReason) unmount(mnt);
    rmSync(base, { recursive: true, force: true });
  });

  it('at every fill level from 0 to 256 KiB (8 KiB steps): rotated, refused before presenting, or held and adopted', async () => {
    const outcomes: string[] = [];
    const seen = new Set<string>();
    for (let kib = 0; kib <= 256; kib += 8) {
      rmSync(join(mnt, 'home'), { recursive: true, force: true });
      rmSync(join(mnt, 'filler'), { force: true });
      const home = join(mnt, 'home');
      const minted = await seedHome(emulator, home, `full-${kib}@example.test`);
      const before = await emulatorStats(emulator);
      const free = fillTo(mnt, kib * 1024);

      // A process that finds the disk this full.
      let outcome: string;
      let served: string | null = null;
      let rotatedTo: string | null = null;
      try {
        const { store } = openStore({ home });
        const broker = brokerFor(store, emulator);
        try {
          served = await broker.getAccessToken(PROFILE);
        } finally {
          broker.close();
          await store.close().catch(() => undefined);
        }
        const rotated = (await emulatorStats(emulator)).rotations > before.rotations;
        outcome = !rotated
          ? 'served the old token, nothing presented'
          : pendingFiles(home).length > 0
            ? 'rotated, held in the journal'
            : 'rotated and committed';
        expect(fingerprint(served) === fingerprint(minted.access)).toBe(!rotated);
        if (rotated) rotatedTo = served;
      } catch (err) {
        const f = describeFailure(err);
        expect(STORE_CODES, f.message).toContain(f.code);
        expect(f.message).not.toMatch(/\n\s+at /);
        expect(f.message).toMatch(/Fix: /);
        outcome = `refused: ${f.code}`;
      }
      outcomes.push(`${String(kib).padStart(3)} KiB free (${Math.floor(free / 1024)} measured): ${outcome}`);
      seen.add(outcome.split(':')[0]!);
      expect((await emulatorStats(emulator)).reuseHits, `reuse at ${kib} KiB`).toBe(0);

      // Space comes back; half the levels recover through the doctor, half through the next broker.
      unlinkSync(join(mnt, 'filler'));
      if (kib % 16 === 0) {
        const report = await runDoctor({ clawkeepHome: home, openclawHomes: [], fix: true });
        expect(report.fixes?.every((f) => f.result.status === 'fixed')).toBe(true);
      }
      const { store } = openStore({ home });
      try {
        const token = await brokerFor(store, emulator).getAccessToken(PROFILE);
        // A rotation that happened while the disk was full is the one the store holds now.
        if (rotatedTo !== null) expect(fingerprint(token)).toBe(fingerprint(rotatedTo));
        expect(pendingFiles(home)).toEqual([]);
      } finally {
        await store.close();
      }
      // The stored refresh token is the live one: one more rotation goes through, with no reuse.
      await ageStored(home);
      const again = openStore({ home }).store;
      try {
        await brokerFor(again, emulator).getAccessToken(PROFILE);
        expect((await again.getProfile(PROFILE))?.status).toBe('ok');
      } finally {
        await again.close();
      }
      expect((await emulatorStats(emulator)).reuseHits, `reuse after recovery at ${kib} KiB`).toBe(0);
    }
    console.log(`disk-full outcomes:\n${outcomes.join('\n')}`);
    expect(seen.has('rotated and committed')).toBe(true);
    expect([...seen].some((s) => s.startsWith('refused') || s.startsWith('served'))).toBe(true);
  });

  it('the disk fills up while the provider answers: the space reserved before presenting lets the commit through', async () => {
    for (let kib = 128; kib <= 256; kib += 64) {
      rmSync(join(mnt, 'home'), { recursive: true, force: true });
      rmSync(join(mnt, 'filler'), { force: true });
      const home = join(mnt, 'home');
      await seedHome(emulator, home, `race-${kib}@example.test`);
      const before = await emulatorStats(emulator);
      fillTo(mnt, kib * 1024);
      const fillingFetch: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        // Another program takes every byte left between our request and our commit.
        const extra = freeBytes(mnt);
        if (extra > 0) writeFileSync(join(mnt, 'filler2'), Buffer.alloc(extra, 1));
        return res;
      };
      const { store } = openStore({ home });
      const broker = brokerFor(store, emulator, { fetch: fillingFetch });
      let served: string;
      try {
        served = await broker.getAccessToken(PROFILE);
        const row = (await store.getProfile(PROFILE))!;
        expect(row.generation, `committed at ${kib} KiB`).toBe(2);
        expect(fingerprint(row.access)).toBe(fingerprint(served));
        expect(pendingFiles(home)).toEqual([]);
      } finally {
        broker.close();
        await store.close();
        rmSync(join(mnt, 'filler2'), { force: true });
        rmSync(join(mnt, 'filler'), { force: true });
      }
      const after = await emulatorStats(emulator);
      expect(after.rotations).toBe(before.rotations + 1);
      expect(after.reuseHits).toBe(0);
    }
  });
});
