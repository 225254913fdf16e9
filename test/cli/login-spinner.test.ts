import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { CLI } from '../helpers/processes.js';

describe('login waiting on a 0-column terminal', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-spin-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('does not spin (nanospinner loops forever there) and honours --timeout', async () => {
    const port = await freePort();
    const cmd = `stty cols 0 rows 0; ${process.execPath} ${CLI} --home ${join(dir, 'h')} models auth login --provider openai-codex --timeout 1 --no-browser`;
    const child = spawn('timeout', ['30', 'script', '-qec', cmd, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', CLAWKEEP_LOGIN_CALLBACK_PORTS: String(port) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      if (out.length < 100_000) out += d.toString();
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(2); // login_timeout; 124 would be `timeout` killing a hung process
    expect(out).toContain('no login arrived within 1 s');
    expect(out.length).toBeLessThan(5000);
  }, 40_000);

  it('Ctrl-D at the paste prompt on a terminal cancels the login', async () => {
    const port = await freePort();
    const cmd = `${process.execPath} ${CLI} --home ${join(dir, 'h')} models auth login --provider openai-codex --timeout 60 --no-browser`;
    const child = spawn('timeout', ['30', 'script', '-qec', cmd, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', CLAWKEEP_LOGIN_CALLBACK_PORTS: String(port) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!sent && out.includes('waiting for the browser')) {
        sent = true;
        child.stdin.write('\x04');
      }
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(out).toContain('login cancelled: input ended (Ctrl-D)');
    expect(code).toBe(2);
  }, 40_000);
});
