import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';

describe('clawkeep demo', () => {
  it('runs offline: a completion, one refresh for a 50-request storm, a loud fallback; exit 0', async () => {
    const home = mkdtempSync(join(tmpdir(), 'clawkeep-demo-test-'));
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
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
