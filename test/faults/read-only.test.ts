import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/processes.js';
import { emulatorStats, PROFILE, seedHome } from './harness.js';
import { mountTmpfs, unmount } from './tmpfs.js';

const base = mkdtempSync(join(tmpdir(), 'clawkeep-ro-'));
const mnt = join(base, 'mnt');
mkdirSync(mnt);

const skipReason = mountTmpfs(mnt, '2m');

describe.skipIf(skipReason !== null)('a read-only file system is called read-only', () => {
  let emulator: Emulator;
  const home = join(mnt, 'home');

  beforeAll(async () => {
    emulator = await startEmulator({ reuse: { kind: 'strict' } });
    await seedHome(emulator, home, 'ro@example.test');
    execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' });
  });
  afterAll(async () => {
    await emulator?.close();
    if (!skipReason) unmount(mnt);
    rmSync(base, { recursive: true, force: true });
  });

  it('doctor reports store_readonly (not store_corrupt) and doctor --fix fails at once instead of waiting on a lock', async () => {
    const d = await runCli(home, ['doctor', '--json']);
    expect(d.code).toBe(1);
    const report = JSON.parse(d.stdout) as {
      checks: Array<{ findings: Array<{ code: string; next?: string }> }>;
    };
    const codes = report.checks.flatMap((c) => c.findings.map((f) => f.code));
    expect(codes).toContain('store_readonly');
    expect(codes).not.toContain('store_corrupt');
    const fix = await runCli(home, ['doctor', '--fix']);
    expect(fix.code).not.toBe(0);
    expect(fix.stderr).toContain('[store_readonly]');
    expect(fix.stderr).toContain('read-only');
    expect(fix.stderr).not.toContain('another clawkeep doctor');
    expect(fix.stderr).not.toMatch(/\n\s+at /);
  });

  it('token says store_readonly with the fix, and presents nothing', async () => {
    const before = await emulatorStats(emulator);
    const r = await runCli(home, ['token', PROFILE], { env: emulator.env() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/read-only \(EROFS\)\. Fix: remount .* read-write.*\[store_readonly\]/);
    expect(r.stdout).toBe('');
    expect((await emulatorStats(emulator)).tokenRequests).toBe(before.tokenRequests);
  });
});
