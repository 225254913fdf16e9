import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/processes.js';

/** Runs the CLI on a real pseudo-terminal (util-linux `script`), typing `keys`. */
function onTerminal(
  home: string,
  args: string[],
  keys: string,
): Promise<{ code: number | null; out: string }> {
  const cmd = [process.execPath, CLI, '--home', home, ...args].join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let typed = false;
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (!typed && out.includes('?')) {
      typed = true;
      child.stdin.write(keys);
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

describe('profiles rm and clients rm confirm on a terminal and need --yes elsewhere', () => {
  let home: string;
  beforeEach(async () => {
    home = join(mkdtempSync(join(tmpdir(), 'clawkeep-rm-')), 'home');
    expect(
      (
        await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'k'], {
          input: 'fake-key-1',
        })
      ).code,
    ).toBe(0);
    expect((await runCli(home, ['clients', 'add', 'agent'])).code).toBe(0);
  });
  afterEach(() => rmSync(join(home, '..'), { recursive: true, force: true }));

  const has = async (what: 'profiles' | 'clients', name: string) =>
    (await runCli(home, [what, 'list', '--json'])).stdout.includes(name);

  it('without a terminal: refused without --yes, nothing removed; --yes removes', async () => {
    for (const [what, target] of [
      ['profiles', 'openai:k'],
      ['clients', 'agent'],
    ] as const) {
      const r = await runCli(home, [what, 'rm', target]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('needs --yes');
      expect(await has(what, target)).toBe(true);
      expect((await runCli(home, [what, 'rm', target, '--yes'])).code).toBe(0);
      expect(await has(what, target)).toBe(false);
    }
  });

  it('on a terminal: asks; "n" keeps it, "y" removes it', async () => {
    for (const [what, target] of [
      ['profiles', 'openai:k'],
      ['clients', 'agent'],
    ] as const) {
      const no = await onTerminal(home, [what, 'rm', target], 'n\r');
      expect(no.out).toMatch(/Remove openai:k|Revoke client agent/);
      expect(no.code).toBe(0);
      expect(await has(what, target)).toBe(true);
      const yes = await onTerminal(home, [what, 'rm', target], 'y\r');
      expect(yes.code).toBe(0);
      expect(await has(what, target)).toBe(false);
    }
  });
});
