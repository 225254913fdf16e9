import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';

describe('clawkeep demo', () => {
  it('runs offline: a completion, one refresh for a 50-request storm, a loud fallback; exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawkeep-demo-test-'));
    const home = join(dir, 'home');
    try {
      const r = await runCli(home, ['demo']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('served by openai-codex/gpt-5');
      expect(r.stdout).toContain(
        '50/50 answered; the token endpoint was called 1 time(s): 1 rotation, 0 reuse',
      );
      expect(r.stdout).toContain('next request was served by anthropic/claude-sonnet-4-5');
      expect(r.stdout).toContain('reason=needs_reauth');
      expect(r.stdout).toContain('needs_reauth [refresh_token_reused]');

      // The closing lines name only what outlives the demo: its temporary home and the login in it
      // are gone, so the fix they give is the one for the user's own home.
      const temporary = /temporary home (\S+)/.exec(r.stdout)?.[1];
      expect(temporary).toBeDefined();
      expect(existsSync(temporary!)).toBe(false);
      const fix = r.stdout.split('\n').filter((l) => /\bfix\b/.test(l));
      expect(fix).toEqual([
        expect.stringContaining(
          `fix on your own home: clawkeep --home ${home} models auth login --provider openai-codex`,
        ),
      ]);
      expect(fix[0]).not.toContain(temporary);
      expect(fix[0]).not.toMatch(/--name demo/);
      expect(r.stdout).toContain(
        `The demo's temporary home ${temporary} is removed; your home ${home} was not touched.`,
      );
      expect(existsSync(home)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
