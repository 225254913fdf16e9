import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture } from '../doctor/helpers.js';
import { runCli } from '../helpers/processes.js';

const home = () => mkdtempSync(join(tmpdir(), 'clawkeep-watch-cli-'));

describe('clawkeep watch: command line', () => {
  it('a state dir that is not there is a usage error naming it, never a quiet guardian over nothing', async () => {
    const r = await runCli(home(), ['watch', '--openclaw-home', '/nonexistent/openclaw-state']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--openclaw-home /nonexistent/openclaw-state does not exist');
    const none = await runCli(home(), ['watch'], { env: { HOME: home() } });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no OpenClaw state dir found');
    // One level off (inside a state dir): it would guard nothing; the error names the right dir.
    const state = copyFixture('split-2026.6');
    const off = await runCli(home(), ['watch', '--openclaw-home', join(state, 'agents')]);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain(`--openclaw-home ${join(state, 'agents')} is not an OpenClaw state dir`);
    expect(off.stderr).toContain(`pass --openclaw-home ${state}`);
  });

  it('an unused dir (OpenClaw not run there yet) is guarded, with a notice', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'clawkeep-openclaw-fresh-'));
    const w = await runCli(home(), ['watch', 'install', '--openclaw-home', fresh], { env: { HOME: home() } });
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).toContain(`notice: ${fresh} is not an OpenClaw state dir yet`);
    expect(w.stdout).toContain(`watch --openclaw-home ${fresh}`);
  });

  it('bad numbers are usage errors naming the flag', async () => {
    const r = await runCli(home(), [
      'watch',
      '--openclaw-home',
      copyFixture('split-2026.6'),
      '--rescan-ms',
      'soon',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--rescan-ms soon: expected a whole number of milliseconds');
  });

  it('watch install prints a unit that runs the guardian on the given state dirs; gateway install still prints its own', async () => {
    const state = copyFixture('split-2026.6');
    const h = home();
    const w = await runCli(h, ['watch', 'install', '--openclaw-home', state], { env: { HOME: h } });
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(
      new RegExp(`^ExecStart=\\S+ \\S+bin/clawkeep\\.js watch --openclaw-home ${state}$`, 'm'),
    );
    expect(w.stdout).toContain(`Environment=CLAWKEEP_HOME=${h}`);
    expect(w.stderr).toContain('clawkeep-watch.service');
    // With metrics: the unit's guardian serves and writes them (a relative .prom path made absolute).
    const m = await runCli(
      h,
      ['watch', 'install', '--openclaw-home', state, '--metrics-port', '9477', '--metrics-file', 'w.prom'],
      { env: { HOME: h } },
    );
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toMatch(
      new RegExp(
        `^ExecStart=.* watch --openclaw-home ${state} --metrics-port 9477 --metrics-file /\\S+/w\\.prom$`,
        'm',
      ),
    );
    const bad = await runCli(h, ['watch', 'install', '--openclaw-home', state, '--metrics-file', 'w.txt'], {
      env: { HOME: h },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--metrics-file w.txt: expected a path ending in .prom');
    const g = await runCli(h, ['gateway', 'install'], { env: { HOME: h } });
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/^ExecStart=\S+ \S+bin\/clawkeep\.js gateway run$/m);
    expect(g.stderr).toContain('clawkeep-gateway.service');
  });
});
