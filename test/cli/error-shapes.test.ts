import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResult, runCli } from '../helpers/processes.js';

/** The one text shape: `clawkeep: <message> [<code>]`, then at most a `hint:` line; nothing on stdout. */
function expectTextError(r: RunResult, code: string, what: string): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(lines[0]).toMatch(new RegExp(`^clawkeep: .+ \\[${code}\\]$`));
  expect(lines[0]).toContain(what);
  if (lines[1] !== undefined) expect(lines[1]).toMatch(/^hint: /);
}

/** The one JSON shape: `{"error":{code,message,hint}}` on stdout, nothing on stderr, the same exit code. */
function expectJsonError(r: RunResult, code: string, what: string): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toBe('');
  const body = JSON.parse(r.stdout) as { error: { code: string; message: string; hint: string | null } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error)).toEqual(['code', 'message', 'hint']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toContain(what);
  expect(body.error.message).not.toMatch(/^error: |\n/);
}

describe('every error, usage errors included, takes one text shape and one JSON shape', () => {
  let dir: string;
  let home: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-errors-'));
    home = join(dir, 'home');
    const add = await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'a'], {
      input: 'fake-key-for-token-json',
    });
    expect(add.code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['unknown command', ['profils'], "unknown command 'profils' (Did you mean profiles?)", 'clawkeep --help'],
    [
      'unknown subcommand',
      ['profiles', 'lst'],
      "unknown command 'lst' (Did you mean list?)",
      'profiles --help',
    ],
    [
      'unknown option',
      ['profiles', 'list', '--jsn'],
      "unknown option '--jsn' (Did you mean --json?)",
      'list --help',
    ],
    ['missing argument', ['token'], "missing required argument 'profile'", 'token --help'],
    ['too many arguments', ['profiles', 'list', 'extra'], 'too many arguments', 'list --help'],
    [
      'option without its value',
      ['events', '--limit'],
      "option '--limit <n>' argument missing",
      'events --help',
    ],
    ['bad choice', ['store', 'encrypt', '--key-store', 'x'], "argument 'x' is invalid", 'encrypt --help'],
    [
      'bad value we check',
      ['gateway', 'run', '--port', 'abc'],
      '--port abc: expected a port number',
      'run --help',
    ],
  ])('%s: text', async (_what, args, message, help) => {
    const r = await runCli(home, args);
    expectTextError(r, 'usage', message);
    expect(r.stderr).toContain(`hint: see: clawkeep`);
    expect(r.stderr).toContain(help);
    expect(r.stderr).not.toContain('add --help for usage');
  });

  it.each([
    ['unknown option', ['profiles', 'list', '--json', '--jsn'], "unknown option '--jsn'"],
    ['missing argument', ['token', '--json'], "missing required argument 'profile'"],
    ['too many arguments', ['profiles', 'list', '--json', 'extra'], 'too many arguments'],
    [
      'option without its value, --json first',
      ['events', '--json', '--limit'],
      "'--limit <n>' argument missing",
    ],
    // commander stops at the bad value and never reads the --json after it; the error is JSON all the same
    [
      'bad choice, --json after it',
      ['store', 'encrypt', '--key-store', 'x', '--json'],
      "argument 'x' is invalid",
    ],
    ['bad value we check', ['events', '--limit', 'ten', '--json'], '--limit ten'],
  ])('%s: JSON', async (_what, args, message) => {
    expectJsonError(await runCli(home, args), 'usage', message);
  });

  it('a domain error has the same shapes, and token has --json', async () => {
    expectTextError(
      await runCli(home, ['token', 'openai:nope']),
      'profile_not_found',
      'no profile openai:nope',
    );
    expectJsonError(
      await runCli(home, ['token', 'openai:nope', '--json']),
      'profile_not_found',
      'no profile openai:nope',
    );
    const ok = await runCli(home, ['token', 'openai:a', '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      profileId: 'openai:a',
      type: 'api_key',
      token: 'fake-key-for-token-json',
      accountId: null,
    });
    const plain = await runCli(home, ['token', 'openai:a']);
    expect(plain.stdout).toBe('fake-key-for-token-json\n');
  });

  it('config check --json reports a config that does not load with the same error object', async () => {
    const bad = join(dir, 'bad-config');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'config.yaml'), 'gateway: [unclosed\n');
    const r = await runCli(bad, ['config', 'check', '--json']);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { valid: boolean; error: Record<string, unknown> };
    expect(body.valid).toBe(false);
    expect(Object.keys(body.error)).toEqual(['code', 'message', 'hint']);
    expect(body.error.code).toBe('config_invalid');
  });

  it('--help and --version still print and exit 0', async () => {
    const h = await runCli(home, ['token', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--json');
  });
});
