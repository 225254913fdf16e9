import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { CLI, ROOT, runCli, runNode } from '../helpers/processes.js';

describe('the command line a gh or npm user expects', () => {
  let dir: string;
  let home: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-basics-'));
    home = join(dir, 'home');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--version and -V print the package version', async () => {
    const { version } = (await import(`${ROOT}package.json`, { with: { type: 'json' } })).default as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const r = await runNode(CLI, [flag]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it.each([
    [['profils'], "unknown command 'profils'", 'Did you mean profiles?'],
    [['profiles', 'lst'], "unknown command 'lst'", 'Did you mean list?'],
    [['profiles', 'list', '--jsn'], "unknown option '--jsn'", 'Did you mean --json?'],
  ])('%j suggests the nearest command or option instead of dumping the help', async (args, what, hint) => {
    const r = await runCli(home, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(what);
    expect(r.stderr).toContain(hint);
    expect(r.stderr).not.toContain('Commands:');
    expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(3);
  });

  it('--json errors are {"error":{code,message,hint}} on stdout with the exit code kept; plain errors go to stderr', async () => {
    const j = await runCli(home, ['profiles', 'show', 'openai:nope', '--json']);
    expect(j.code).toBe(2);
    expect(j.stderr).toBe('');
    const body = JSON.parse(j.stdout) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'hint', 'message']);
    expect(body.error).toMatchObject({ code: 'profile_not_found' });
    expect(body.error.message).toContain('openai:nope');

    const u = await runCli(home, ['profiles', 'list', '--json', '--jsn']);
    expect(u.code).toBe(2);
    expect(u.stderr).toBe('');
    expect(JSON.parse(u.stdout)).toMatchObject({ error: { code: 'usage' } });

    const p = await runCli(home, ['profiles', 'show', 'openai:nope']);
    expect(p.code).toBe(2);
    expect(p.stdout).toBe('');
    expect(p.stderr).toContain('no profile openai:nope');
  });

  it("the format follows the failing command's parsed --json: `events --json` errors are JSON; a --json that is an option value is not", async () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(home, 'clawkeep.sqlite'),
      'not a database, just text long enough to be read as a header\n',
    );
    const j = await runCli(home, ['events', '--json']);
    expect(j.code).toBe(2);
    expect(j.stderr).toBe('');
    const body = JSON.parse(j.stdout) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'hint', 'message']);
    expect(body.error.code).toBe('store_corrupt');

    // `--profile --json`: "--json" is the profile filter, so the error stays text on stderr.
    const v = await runCli(home, ['events', '--profile', '--json']);
    expect(v.code).toBe(2);
    expect(v.stdout).toBe('');
    expect(v.stderr).toMatch(/^clawkeep: /);

    // Same for a command without --json at all, e.g. `models auth login --name --json`.
    const l = await runCli(home, ['models', 'auth', 'login', '--provider', 'nope', '--name', '--json']);
    expect(l.code).toBe(2);
    expect(l.stdout).toBe('');
    expect(l.stderr).toContain('unknown provider "nope"');
  });

  it('an invalid environment variable is named with the expected value, in one line, no stack', async () => {
    const r = await runCli(home, ['profiles', 'list'], { env: { CLAWKEEP_GATEWAY_PORT: 'abc' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CLAWKEEP_GATEWAY_PORT="abc": expected a port number 0-65535');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const dev = await runCli(home, ['profiles', 'list'], {
      env: { CLAWKEEP_ANTHROPIC_DEVICE_URL: 'http://127.0.0.1:9/device' },
    });
    expect(dev.code).toBe(2);
    expect(dev.stderr).toContain('CLAWKEEP_ANTHROPIC_DEVICE_URL is set, but anthropic has no device login');
    const j = await runCli(home, ['profiles', 'list', '--json'], { env: { CLAWKEEP_LEASE_TTL_MS: 'x' } });
    expect(JSON.parse(j.stdout)).toMatchObject({
      error: { code: 'config_invalid', hint: expect.any(String) },
    });
  });

  it('events --json | head exits quietly with 0 on the closed pipe', async () => {
    const { store } = openStore({ home });
    await store.appendEvents(
      Array.from({ length: 20_000 }, (_, i) => ({
        kind: 'repaired' as const,
        profileId: null,
        data: { n: i, pad: 'x'.repeat(100) },
        at: i,
      })),
    );
    await store.close();
    const r = spawnSync(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        `set -o pipefail; node ${CLI} --home ${home} events --json --limit 20000 | head -n 2 >/dev/null`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('completion bash|zsh|fish come from the command tree; the bash one completes in a real bash', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCli(home, ['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('profiles');
      expect(r.stdout).toContain('completion');
    }
    const script = join(dir, 'c.bash');
    writeFileSync(script, (await runCli(home, ['completion', 'bash'])).stdout);
    const complete = (words: string[]) =>
      spawnSync(
        'bash',
        [
          '--norc',
          '--noprofile',
          '-c',
          `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _clawkeep; echo "\${COMPREPLY[*]}"`,
        ],
        { encoding: 'utf8' },
      ).stdout.trim();
    expect(complete(['clawkeep', 'prof'])).toBe('profiles');
    expect(complete(['clawkeep', '--home', '/tmp/x', 'profiles', 'add-'])).toBe('add-key add-oauth');
    expect(complete(['clawkeep', 'models', 'auth', 'login', '--dev'])).toBe('--device');
    expect(complete(['clawkeep', 'gateway', ''])).toContain('install');
    const bad = await runCli(home, ['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bash, zsh, fish');
  });

  it('add-oauth converts epoch seconds with a notice, refuses a past expiry; profiles show reads like a sentence', async () => {
    const add = (expires: unknown, name: string) =>
      runCli(home, ['profiles', 'add-oauth', '--provider', 'anthropic', '--name', name], {
        input: JSON.stringify({ access: 'fake-access', refresh: 'fake-refresh', expires }),
      });
    const secs = await add(Math.floor(Date.now() / 1000) + 3600, 'secs');
    expect(secs.code).toBe(0);
    expect(secs.stderr).toContain('looks like epoch seconds');
    const past = await add(Date.now() - 60_000, 'past');
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/expires: .* is in the past/);
    const show = await runCli(home, ['profiles', 'show', 'anthropic:secs']);
    expect(show.stdout).toMatch(/^expires\s+in (59m|1h 0m)/m);
    expect(show.stdout).not.toContain('expiresInSeconds');
  });

  it('"run this" lines say npx clawkeep when run through npx', async () => {
    const npx = await runCli(home, ['profiles', 'list'], { env: { npm_command: 'exec' } });
    expect(npx.stdout).toContain(`npx clawkeep --home ${home} profiles add-key`);
    const plain = await runCli(home, ['profiles', 'list']);
    expect(plain.stdout).toContain(`add one with: clawkeep --home ${home} profiles add-key`);
  });

  it('gateway install --write twice updates the same unit and says whether anything changed', async () => {
    const env = { HOME: join(dir, 'user') };
    const unit = join(dir, 'user/.config/systemd/user/clawkeep-gateway.service');
    const first = await runCli(home, ['gateway', 'install', '--write'], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`wrote ${unit}; now: systemctl --user daemon-reload`);
    const again = await runCli(home, ['gateway', 'install', '--write'], { env });
    expect(again.stdout).toContain('up to date; nothing changed');
    const other = await runCli(join(dir, 'home2'), ['gateway', 'install', '--write'], { env });
    expect(other.stdout).toMatch(/updated .*clawkeep-gateway\.service \(previous version kept as .*\.bak\)/);
    expect(other.stdout).toContain('systemctl --user restart clawkeep-gateway');
    const files = readdirSync(join(dir, 'user/.config/systemd/user'));
    expect(files.filter((f) => f.endsWith('.service'))).toEqual(['clawkeep-gateway.service']);
    expect(readFileSync(unit, 'utf8')).toContain(`CLAWKEEP_HOME=${join(dir, 'home2')}`);
  });

  it('config check reports every dangling reference in one pass', async () => {
    await runCli(home, ['profiles', 'list']);
    writeFileSync(
      join(home, 'config.yaml'),
      'chains:\n  main:\n    - mystery/m\n    - target: anthropic/claude-sonnet-4-5\n      profile: anthropic:gone\n',
    );
    const r = await runCli(home, ['config', 'check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2 problems');
    expect(r.stdout).toContain('chains.main[0]: "mystery/m": unknown provider "mystery"');
    expect(r.stdout).toContain('chains.main[1].profile: no profile anthropic:gone in the store');
    const j = await runCli(home, ['config', 'check', '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ valid: false, issues: [{ path: 'chains.main[0]' }, {}] });
  });

  it('config check reports a dangling defaultChain, model aliases and chain targets together, in one pass', async () => {
    mkdirSync(home, { recursive: true });
    writeFileSync(
      join(home, 'config.yaml'),
      'defaultChain: nightly\nmodels:\n  fast: chain:gone\nchains:\n  main:\n    - mystery/m\n',
    );
    const r = await runCli(home, ['config', 'check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('3 problems');
    expect(r.stdout).toContain('chains.main[0]: "mystery/m": unknown provider "mystery"');
    expect(r.stdout).toContain('models.fast: "chain:gone": no chain named "gone"');
    expect(r.stdout).toContain('defaultChain: no chain named "nightly"');
    // The gateway itself still refuses to start on it.
    const run = await runCli(home, ['gateway', 'run', '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('defaultChain: no chain named "nightly" under chains');
  });

  it('models auth login --device is refused where there is no device flow, naming the login modes', async () => {
    const r = await runCli(home, ['models', 'auth', 'login', '--provider', 'anthropic', '--device']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('anthropic has no device-code login');
    expect(r.stderr).toContain('hint: its login modes: browser (PKCE');
  });

  it("models auth login --help names each provider's login modes; --device is offered for openai-codex only", async () => {
    const r = await runCli(home, ['models', 'auth', 'login', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('openai-codex (browser, device) | anthropic (browser)');
    const flat = r.stdout.replace(/\s+/g, ' ');
    expect(flat).toContain(
      '--device enter a code on another device instead of a browser sign-in; only for openai-codex --force',
    );
    const modes = r.stdout.slice(r.stdout.indexOf('Login modes:')).split('\n');
    expect(modes[1]).toMatch(/^ {2}openai-codex: browser \(PKCE.*; device \(enter a code/);
    expect(modes[2]).toMatch(/^ {2}anthropic: browser \(PKCE/);
    expect(modes[2]).not.toContain('device');
  });
});
