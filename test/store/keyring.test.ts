import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { mint } from '../helpers/emulator.js';
import { runCli } from '../helpers/processes.js';
import { readRow } from '../helpers/store-fixtures.js';

const ID = 'openai-codex:kr';

/** Why the real OS keyring (Secret Service via gnome-keyring on a private D-Bus session) cannot run here. */
function keyringUnavailable(): string | null {
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return null;
}

const skip = keyringUnavailable();
if (skip) {
  if (process.env.CI)
    throw new Error(`OS keyring tests cannot run: ${skip} (.ci/run installs gnome-keyring)`);
  console.warn(`OS keyring tests skipped: ${skip}`);
}

/**
 * A private D-Bus session with an unlocked gnome-keyring (the Secret Service a Linux desktop has),
 * kept alive for the test; resolves to the session's bus address.
 */
function startKeyringSession(dir: string): Promise<{ address: string; child: ChildProcess }> {
  const script =
    'printf clawkeep-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 3; ' +
    'echo "BUS=$DBUS_SESSION_BUS_ADDRESS"; exec sleep 600';
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    // A keyring of its own (created on first unlock), never the user's.
    env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_DATA_HOME: join(dir, 'share'), XDG_RUNTIME_DIR: dir },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /BUS=(\S+)/.exec(out);
      if (m) resolve({ address: m[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`keyring session ended (${code}) before it was ready`)));
  });
}

describe.skipIf(!!skip)('store encryption with the key in the real OS keyring (Secret Service)', () => {
  let emulator: Emulator;
  let home: string;
  let session: { address: string; child: ChildProcess };
  let env: Record<string, string>;
  let sessionDir = '';

  beforeAll(async () => {
    emulator = await startEmulator();
    home = mkdtempSync(join(tmpdir(), 'clawkeep-keyring-'));
    sessionDir = mkdtempSync(join(tmpdir(), 'clawkeep-keyring-session-'));
    session = await startKeyringSession(sessionDir);
    env = { ...emulator.env(), DBUS_SESSION_BUS_ADDRESS: session.address };
  }, 60_000);
  afterAll(async () => {
    if (session?.child.pid) process.kill(-session.child.pid, 'SIGTERM');
    await emulator?.close();
    rmSync(home, { recursive: true, force: true });
    if (sessionDir) rmSync(sessionDir, { recursive: true, force: true });
  });

  it('encrypt keeps the key only in the keyring; token opens it; rotate-key replaces it there; decrypt', async () => {
    const minted = await mint(emulator, 'openai-codex', 'kr@example.test');
    const added = await runCli(
      home,
      ['profiles', 'add-oauth', '--provider', 'openai-codex', '--name', 'kr'],
      {
        input: JSON.stringify(minted),
        env,
      },
    );
    expect(added.code, added.stderr).toBe(0);

    const enc = await runCli(home, ['store', 'encrypt', '--key-store', 'keyring', '--json'], { env });
    expect(enc.code, enc.stdout + enc.stderr).toBe(0);
    const r = JSON.parse(enc.stdout) as { keyId: string; keptIn: string };
    expect(r.keptIn).toBe(`the OS keyring (clawkeep-store-key/${r.keyId})`);
    expect(existsSync(join(home, 'keys')) ? readdirSync(join(home, 'keys')) : []).toEqual([]);
    expect(String(readRow(home, ID)!.refresh)).toMatch(new RegExp(`^ck1\\.${r.keyId}\\.`));

    // Another process finds the key in the keyring; without the session it cannot, and says so.
    const tok = await runCli(home, ['token', ID], { env });
    expect(tok.code, tok.stderr).toBe(0);
    expect(tok.stdout.trim()).toBe(minted.access);
    const locked = await runCli(home, ['token', ID], { env: emulator.env() });
    expect(locked.code).not.toBe(0);
    expect(locked.stderr).toContain(`encrypted with key ${r.keyId}`);
    expect(locked.stderr).not.toContain(minted.refresh);

    const rot = await runCli(home, ['store', 'rotate-key', '--json'], { env });
    expect(rot.code, rot.stdout + rot.stderr).toBe(0);
    const next = JSON.parse(rot.stdout) as { keyId: string; keptIn: string; forgot: string };
    expect(next).toMatchObject({
      forgot: r.keyId,
      keptIn: `the OS keyring (clawkeep-store-key/${next.keyId})`,
    });
    expect(String(readRow(home, ID)!.refresh)).toMatch(new RegExp(`^ck1\\.${next.keyId}\\.`));
    const after = await runCli(home, ['token', ID], { env });
    expect(after.stdout.trim()).toBe(minted.access);

    const dec = await runCli(home, ['store', 'decrypt', '--yes'], { env });
    expect(dec.code, dec.stderr).toBe(0);
    expect(String(readRow(home, ID)!.refresh)).toBe(minted.refresh);
  }, 90_000);
});
