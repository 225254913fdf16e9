import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';

interface JsonFinding {
  code: string;
  severity: string;
  path?: string;
  message: string;
  next?: string;
}
interface JsonReport {
  exitCode: number;
  checks: Array<{ id: string; status: string; findings: JsonFinding[] }>;
}

// A HOME without ~/.openclaw: only clawkeep's own home is diagnosed.
const dirs: string[] = [];
function homeWith(config: string | null): { home: string; env: Record<string, string> } {
  const tmp = mkdtempSync(join(tmpdir(), 'clawkeep-doctor-config-'));
  dirs.push(tmp);
  const home = join(tmp, 'home');
  mkdirSync(home, { mode: 0o700 });
  if (config !== null) writeFileSync(join(home, 'config.yaml'), config, { mode: 0o600 });
  return { home, env: { HOME: join(tmp, 'user') } };
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const configFindings = (r: JsonReport) => r.checks.find((c) => c.id === 'clawkeep-config')!.findings;

describe("doctor runs config check's checks on clawkeep's own config", () => {
  it('a config.yaml the gateway will not start with is a finding naming the file and the key, as config check says', async () => {
    const { home, env } = homeWith('gateway:\n  port: 99999\nlisten_typo: true\n');
    const check = await runCli(home, ['config', 'check'], { env });
    expect(check.code).toBe(1);
    const text = await runCli(home, ['doctor'], { env });
    expect(text.code).toBe(1);
    expect(text.stdout).not.toContain('no problems found');
    expect(text.stdout).toContain('[config_invalid]');
    const r = JSON.parse((await runCli(home, ['doctor', '--json'], { env })).stdout) as JsonReport;
    const [f, ...rest] = configFindings(r);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: 'config_invalid', severity: 'error', path: join(home, 'config.yaml') });
    expect(f!.message).toContain('gateway.port');
    expect(f!.message).toContain('the gateway will not start with it');
    expect(f!.next).toBe(`edit ${join(home, 'config.yaml')}, then: clawkeep --home ${home} config check`);
  });

  it('YAML that does not parse is named by position, never quoted', async () => {
    const { home, env } = homeWith('gateway:\n  port: 1\n fake-secret-value: [\n');
    const r = JSON.parse((await runCli(home, ['doctor', '--json'], { env })).stdout) as JsonReport;
    const [f] = configFindings(r);
    expect(f!.code).toBe('config_invalid');
    expect(f!.message).toContain('not valid YAML');
    expect(f!.message).not.toContain('fake-secret-value');
  });

  it('a reference to nothing (unknown provider, undefined chain) is a finding per reference', async () => {
    const { home, env } = homeWith(
      'chains:\n  main:\n    - nosuch/model-x\nmodels:\n  fast: chain:missing\n',
    );
    const r = JSON.parse((await runCli(home, ['doctor', '--json'], { env })).stdout) as JsonReport;
    expect(r.exitCode).toBe(1);
    const found = configFindings(r);
    expect(found.map((f) => f.code)).toEqual(['config_reference', 'config_reference']);
    expect(found.map((f) => f.message).join('\n')).toMatch(
      /chains\.main\[0\]: "nosuch\/model-x": unknown provider/,
    );
    expect(found.map((f) => f.message).join('\n')).toMatch(
      /models\.fast: "chain:missing": no chain named "missing"/,
    );
  });

  it('a valid config, or none, passes', async () => {
    for (const config of [null, 'gateway:\n  port: 18790\n']) {
      const { home, env } = homeWith(config);
      const r = JSON.parse((await runCli(home, ['doctor', '--json'], { env })).stdout) as JsonReport;
      expect(configFindings(r), String(config)).toEqual([]);
      expect(r.exitCode).toBe(0);
    }
  });
});
