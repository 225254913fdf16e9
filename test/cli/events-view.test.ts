import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { runCli } from '../helpers/processes.js';

// India has no daylight saving: UTC+05:30 all year, so the expected local times are fixed.
const TZ = { TZ: 'Asia/Kolkata' };
const AT = Date.UTC(2026, 4, 3, 8, 32, 11); // 2026-05-03 14:02:11 in Kolkata
const EXPIRES = Date.UTC(2026, 10, 25, 12, 0, 0); // 2026-11-25 17:30:00 in Kolkata

describe('clawkeep events: readable text, exact JSON, unknown profiles refused', () => {
  let dir: string;
  let home: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-events-'));
    home = join(dir, 'home');
    const { store } = openStore({ home });
    await store.appendEvents([
      {
        at: AT,
        profileId: 'openai-codex:gone',
        kind: 'rotated',
        data: { generation: 3, refreshFp: 'fp:1234abcd/40', expires: EXPIRES },
      },
      {
        at: AT + 1000,
        profileId: 'openai-codex:gone',
        kind: 'refresh_failed',
        data: { status: 503, code: null, retryAt: AT + 60_000 },
      },
      {
        at: AT + 2000,
        profileId: 'openai-codex:gone',
        kind: 'quota_warning',
        data: { window: 'primary', usedPercent: 91.5, resetAt: new Date(EXPIRES).toISOString() },
      },
    ]);
    await store.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the text view prints times as local date and time, never epoch milliseconds', async () => {
    const r = await runCli(home, ['events'], { env: TZ });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^2026-05-03 14:02:11 +rotated +openai-codex:gone /);
    expect(lines[0]).toContain('expires=2026-11-25 17:30:00');
    expect(lines[0]).toContain('generation=3');
    expect(lines[1]).toContain('retryAt=2026-05-03 14:03:11');
    expect(lines[1]).toContain('status=503');
    expect(lines[2]).toContain('resetAt=2026-11-25 17:30:00');
    expect(r.stdout).not.toMatch(/\d{13}/);
  });

  it('--json keeps the stored numbers', async () => {
    const r = await runCli(home, ['events', '--json'], { env: TZ });
    expect(r.code).toBe(0);
    const [first] = r.stdout.trim().split('\n');
    expect(JSON.parse(first!)).toMatchObject({ at: AT, kind: 'rotated', data: { expires: EXPIRES } });
  });

  it('an unknown --profile is profile_not_found (exit 2); a removed profile with history still shows it', async () => {
    const typo = await runCli(home, ['events', '--profile', 'openai-codex:gnoe']);
    expect(typo.code).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toContain('no profile openai-codex:gnoe');
    expect(typo.stderr).toContain('[profile_not_found]');

    const json = await runCli(home, ['events', '--profile', 'openai-codex:gnoe', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'profile_not_found' } });

    const gone = await runCli(home, ['events', '--profile', 'openai-codex:gone']);
    expect(gone.code).toBe(0);
    expect(gone.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('a --limit that is not a whole number is a usage error naming the flag', async () => {
    const r = await runCli(home, ['events', '--limit', 'ten']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--limit ten');
    expect(r.stderr).toContain('[usage]');
  });
});
