import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/processes.js';

// A benchmark whose anchor did not run must fail loudly, never print "0.00 s exit null" and "ratio 0.0x".
it('bench:doctor fails with the reason when the OpenClaw release it compares against cannot be installed', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'clawkeep-bench-anchor-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/doctor.ts'), '2'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmp,
        // An empty release cache, and npm kept off the network with an empty cache of its own: the install fails.
        CLAWKEEP_OPENCLAW_CACHE: join(tmp, 'openclaw-cache'),
        npm_config_offline: 'true',
        npm_config_cache: join(tmp, 'npm-cache'),
      },
    });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(
      "bench/doctor: FAILED: the anchor, OpenClaw 2026.6.9's own doctor, cannot run",
    );
    expect(r.stderr).toContain('install-openclaw.sh 2026.6.9');
    expect(r.stdout).not.toContain('ratio');
    expect(r.stdout).not.toContain('exit null');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}, 60_000);
