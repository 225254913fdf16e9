import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';

/** `clawkeep dashboard` end to end: the built CLI, a background gateway, a one-time link. */
describe('clawkeep dashboard', () => {
  let home: string;
  beforeEach(() => {
    home = join(mkdtempSync(join(tmpdir(), 'clawkeep-dash-')), 'home');
  });
  afterEach(async () => {
    await runCli(home, ['gateway', 'stop']);
    rmSync(join(home, '..'), { recursive: true, force: true });
  });

  it('starts the gateway when none runs and prints a sign-in link that works once', async () => {
    const env = { CLAWKEEP_GATEWAY_PORT: '0', CI: '1' };
    const r = await runCli(home, ['dashboard'], { env });
    expect(r.code, r.stderr).toBe(0);
    const link = r.stdout.trim().split('\n').at(-1)!;
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ui\/signin\?token=[\w-]+$/);
    expect(r.stderr).toMatch(/works once, within 5 minutes/);
    const first = await fetch(link, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('set-cookie')).toMatch(
      /^clawkeep_ui=[\w-]+; Path=\/ui; HttpOnly; SameSite=Strict/,
    );
    expect((await fetch(link, { redirect: 'manual' })).status).toBe(401);

    // A second run reuses the running gateway.
    const again = await runCli(home, ['dashboard', '--no-browser'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/started/);
    expect(new URL(again.stdout.trim()).origin).toBe(new URL(link).origin);
  });

  it('says it started a background gateway (pid, port, home) and names the command that stops it', async () => {
    const r = await runCli(home, ['dashboard', '--no-browser'], { env: { CLAWKEEP_GATEWAY_PORT: '0' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n'), 'stdout holds the link alone').toHaveLength(1);
    const link = new URL(r.stdout.trim());
    const status = await runCli(home, ['gateway', 'status', '--json']);
    const { pid } = JSON.parse(status.stdout) as { pid: number };
    expect(r.stderr).toContain(
      `no gateway was running on this home: started one in the background (pid ${pid}, port ${link.port}, home ${home}); it keeps running after this command`,
    );
    const stop = /stop it: (clawkeep .*gateway stop)\b/.exec(r.stderr)?.[1];
    expect(stop).toBe(`clawkeep --home ${home} gateway stop`);
    const stopped = await runCli(home, stop!.split(' ').slice(3));
    expect(stopped.stdout).toContain(`gateway stopped (pid ${pid})`);
  });

  it('refuses a non-loopback gateway address without --insecure-remote', async () => {
    const r = await runCli(home, ['dashboard', '--no-browser'], {
      env: { CLAWKEEP_GATEWAY_HOST: '0.0.0.0', CLAWKEEP_GATEWAY_PORT: '0' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bound to 0\.0\.0\.0.*plain HTTP.*--insecure-remote/);
    expect(r.stdout).not.toMatch(/signin/);
  });

  it('names the config file when the config is broken', async () => {
    const cfg = join(home, '..', 'bad.yaml');
    writeFileSync(cfg, 'gateway: [');
    const r = await runCli(home, ['dashboard', '--no-browser'], { env: { CLAWKEEP_CONFIG: cfg } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(cfg);
  });
});
