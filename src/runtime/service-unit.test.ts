import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installServiceUnit, systemdUnit } from './service-unit.js';

describe('installServiceUnit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, then leaves an identical unit alone, then updates the same file keeping a backup', () => {
    const path = join(dir, 'systemd/user/clawkeep-gateway.service');
    const v1 = systemdUnit({ node: '/usr/bin/node', cli: '/a/bin/clawkeep.js', home: '/h' });
    const v2 = systemdUnit({ node: '/usr/bin/node', cli: '/b/bin/clawkeep.js', home: '/h' });
    expect(installServiceUnit(path, v1, 1000)).toEqual({ path, status: 'created', backup: null });
    expect(installServiceUnit(path, v1, 2000)).toEqual({ path, status: 'unchanged', backup: null });
    const r = installServiceUnit(path, v2, 3000);
    expect(r).toEqual({ path, status: 'updated', backup: `${path}.3000.bak` });
    expect(readFileSync(path, 'utf8')).toBe(v2);
    expect(readFileSync(r.backup!, 'utf8')).toBe(v1);
    // Never a second unit under another name that systemd would load.
    expect(readdirSync(join(dir, 'systemd/user')).filter((f) => f.endsWith('.service'))).toEqual([
      'clawkeep-gateway.service',
    ]);
  });
});
