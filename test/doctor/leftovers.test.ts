import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/index.js';

describe('doctor: temp files and pid records left by crashes', () => {
  const home = mkdtempSync(join(tmpdir(), 'clawkeep-doctor-leftovers-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('reports them (warn, with the fix command) and --fix removes them', async () => {
    mkdirSync(join(home, 'backups'));
    const temp = join(home, 'backups', 'openai-codex_a.json.1790000000000.bak.tmp-999999999-0abc');
    const pid = join(home, 'gateway.pid.stale.1790000000000');
    for (const p of [temp, pid]) {
      writeFileSync(p, '{"refresh":"rt-fake-leftover"}', { mode: 0o600 });
      utimesSync(p, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    }
    const before = await runDoctor({ clawkeepHome: home, openclawHomes: [] });
    const findings = before.checks.find((c) => c.id === 'leftover-files')!.findings;
    expect(findings.map((f) => [f.code, f.path]).sort()).toEqual([
      ['leftover_temp_file', temp],
      ['stale_pidfile', pid],
    ]);
    expect(findings.every((f) => f.next === 'clawkeep doctor --fix')).toBe(true);
    expect(JSON.stringify(before)).not.toContain('rt-fake-leftover');
    const after = await runDoctor({ clawkeepHome: home, openclawHomes: [], fix: true });
    expect(after.fixes?.map((f) => f.result.status)).toEqual(['fixed', 'fixed']);
    expect(existsSync(temp) || existsSync(pid)).toBe(false);
    expect(after.checks.find((c) => c.id === 'leftover-files')!.status).toBe('ok');
  });
});
