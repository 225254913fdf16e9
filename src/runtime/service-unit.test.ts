import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installServiceUnit, launchdPlistFor, type ServiceSpec, systemdUnitFor } from './service-unit.js';

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name: 'gateway',
  description: 'clawkeep gateway',
  node: '/usr/bin/node',
  cli: '/a/bin/clawkeep.js',
  home: '/h',
  args: ['gateway', 'run'],
  ...over,
});

describe('installServiceUnit', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, then leaves an identical unit alone, then updates the same file keeping a backup', () => {
    const path = join(dir, 'systemd/user/clawkeep-gateway.service');
    const v1 = systemdUnitFor(spec());
    const v2 = systemdUnitFor(spec({ cli: '/b/bin/clawkeep.js' }));
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

/** Splits a systemd command line or setting value into words as systemd.syntax(7) says. */
function systemdWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    let w = '';
    if (line[i] === '"') {
      for (i++; line[i] !== '"'; i++) w += line[i] === '\\' ? line[++i] : line[i];
      i++;
    } else for (; i < line.length && line[i] !== ' '; i++) w += line[i];
    words.push(w.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return words;
}

describe('one service-unit generator for every long-running command, quoting what it writes', () => {
  const odd = '/home/ada lovelace/it\'s "clawkeep" 100%/$HOME';
  it('a home and paths with spaces, quotes, % and $ come back from systemd and launchd exactly', () => {
    const s = spec({
      home: odd,
      cli: `${odd}/bin/clawkeep.js`,
      args: ['watch', '--openclaw-home', `${odd}/.openclaw`],
    });
    const unit = systemdUnitFor(s);
    const line = (key: string) =>
      unit
        .split('\n')
        .find((l) => l.startsWith(`${key}=`))!
        .slice(key.length + 1);
    expect(systemdWords(line('ExecStart'))).toEqual([
      '/usr/bin/node',
      `${odd}/bin/clawkeep.js`,
      'watch',
      '--openclaw-home',
      `${odd}/.openclaw`,
    ]);
    expect(systemdWords(line('Environment'))).toEqual([`CLAWKEEP_HOME=${odd}`]);
    const plist = launchdPlistFor(s);
    const strings = [...plist.matchAll(/<string>([^<]*)<\/string>/g)].map((m) =>
      m[1]!
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    );
    expect(strings).toContain(`${odd}/bin/clawkeep.js`);
    expect(strings).toContain(odd);
    expect(plist).not.toMatch(/<string>[^<]*"[^<]*<\/string>/);
  });

  /** The units a systemd user manager has (systemd.special(7), "Special User Units"). */
  const USER_MANAGER_UNITS = new Set([
    'basic.target',
    'bluetooth.target',
    'default.target',
    'exit.target',
    'graphical-session-pre.target',
    'graphical-session.target',
    'paths.target',
    'printer.target',
    'shutdown.target',
    'smartcard.target',
    'sockets.target',
    'sound.target',
    'timers.target',
    'xdg-desktop-autostart.target',
  ]);
  const ORDERING =
    /^(After|Before|Wants|Requires|Requisite|BindsTo|PartOf|Upholds|WantedBy|RequiredBy)=(.*)$/;
  /** Every unit a unit orders on or depends on, as `[setting, unit]`. */
  const namedUnits = (unit: string) =>
    unit
      .split('\n')
      .map((l) => ORDERING.exec(l))
      .filter((m) => m !== null)
      .flatMap((m) => m[2]!.split(/\s+/).map((u) => [m[1]!, u] as const));
  const everyUnit = [
    spec(),
    spec({ name: 'watch', description: 'clawkeep watch', args: ['watch', '--openclaw-home', '/o'] }),
  ].map(systemdUnitFor);

  it('orders and depends only on units a user manager has (no network-online.target)', () => {
    for (const unit of everyUnit) {
      const named = namedUnits(unit);
      expect(named.filter(([, u]) => !USER_MANAGER_UNITS.has(u))).toEqual([]);
      expect(named).toContainEqual(['WantedBy', 'default.target']);
      // After= the target that wants this unit would be an ordering cycle.
      expect(named).not.toContainEqual(['After', 'default.target']);
    }
  });

  it("every unit it names is one this machine's user manager can load", (ctx) => {
    const paths = spawnSync('systemd-analyze', ['--user', 'unit-paths'], { encoding: 'utf8' });
    if (paths.error || paths.status !== 0) {
      console.warn('[skip] systemd-analyze is not installed: checked against systemd.special(7) above only');
      ctx.skip();
    }
    const dirs = paths.stdout.split('\n').filter(Boolean);
    for (const unit of everyUnit) {
      for (const [setting, name] of namedUnits(unit)) {
        expect(
          dirs.some((d) => existsSync(join(d, name))),
          `${setting}=${name}: no user unit of that name`,
        ).toBe(true);
      }
    }
  });

  it("systemd's own parser takes the unit without a warning", (ctx) => {
    const probe = spawnSync('systemd-analyze', ['--version']);
    if (probe.error) {
      console.warn(
        '[skip] systemd-analyze is not installed: the unit is checked by the word splitter above only',
      );
      ctx.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'clawkeep unit "dir" 100%-'));
    try {
      const cli = join(dir, 'bin/clawkeep.js');
      mkdirSync(join(dir, 'bin'));
      writeFileSync(cli, '');
      const unitPath = join(dir, 'clawkeep-gateway.service');
      writeFileSync(unitPath, systemdUnitFor(spec({ node: process.execPath, cli, home: dir })));
      // As the user manager reads it; it needs a runtime directory, which a CI shell may lack.
      const runtime = process.env.XDG_RUNTIME_DIR ?? join(dir, 'runtime');
      mkdirSync(runtime, { recursive: true, mode: 0o700 });
      const r = spawnSync('systemd-analyze', ['--user', 'verify', unitPath], {
        encoding: 'utf8',
        env: { ...process.env, XDG_RUNTIME_DIR: runtime },
      });
      expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
