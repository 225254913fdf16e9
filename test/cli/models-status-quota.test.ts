import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseQuotaHeaders } from '../../src/gateway/quota/parse-headers.js';
import { openStore } from '../../src/store/open-store.js';
import { runCli } from '../helpers/processes.js';

// India has no daylight saving: UTC+05:30 all year, so the expected local times are fixed.
const TZ = { TZ: 'Asia/Kolkata' };
const SEEN = Date.UTC(2099, 0, 1, 8, 0, 0);
const RESET = '2099-01-01T08:32:00Z'; // 2099-01-01 14:02 in Kolkata

describe('models status: an API key quota says its window and when it resets', () => {
  let dir: string;
  let home: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-quota-'));
    home = join(dir, 'home');
    for (const name of ['live', 'stale', 'none']) {
      const r = await runCli(home, ['profiles', 'add-key', '--provider', 'anthropic', '--name', name], {
        input: `fake-key-${name}`,
      });
      expect(r.code).toBe(0);
    }
    const headers = (reset: string) => ({
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '38',
      'anthropic-ratelimit-requests-reset': reset,
      'anthropic-ratelimit-tokens-limit': '40000',
      'anthropic-ratelimit-tokens-remaining': '36900',
      'anthropic-ratelimit-tokens-reset': reset,
    });
    const { store } = openStore({ home });
    const live = parseQuotaHeaders('anthropic', headers(RESET), SEEN);
    const stale = parseQuotaHeaders('anthropic', headers('2020-01-01T00:01:00Z'), Date.UTC(2020, 0, 1));
    await store.saveQuota('anthropic:live', JSON.stringify(live), SEEN);
    await store.saveQuota('anthropic:stale', JSON.stringify(stale), Date.UTC(2020, 0, 1));
    await store.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('counts, the window and the local reset time; nothing for a window that has started over or was never read', async () => {
    const r = await runCli(home, ['models', 'status'], { env: TZ });
    expect(r.code).toBe(0);
    const line = (id: string) => r.stdout.split('\n').find((l) => l.startsWith(id)) ?? '';
    expect(line('anthropic:live')).toContain(
      'requests 12/50 per minute, resets 2099-01-01 14:02; tokens 3100/40000 per minute, resets 2099-01-01 14:02',
    );
    expect(line('anthropic:stale')).toMatch(/ -$/);
    expect(line('anthropic:none')).toMatch(/ -$/);
    expect(r.stdout).not.toMatch(/\b(requests|tokens) reset\b/);
  });

  it('--json carries the counts and the window length', async () => {
    const r = await runCli(home, ['models', 'status', '--json'], { env: TZ });
    const rows = JSON.parse(r.stdout) as Array<{ id: string; quota: { windows: unknown[] } | null }>;
    expect(rows.find((x) => x.id === 'anthropic:live')?.quota?.windows[0]).toMatchObject({
      window: 'requests',
      usedPercent: 24,
      used: 12,
      limit: 50,
      windowMinutes: 1,
      resetAt: '2099-01-01T08:32:00.000Z',
      reset: false,
    });
  });
});
