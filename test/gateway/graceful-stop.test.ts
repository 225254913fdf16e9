import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, EmulatorControl, startEmulator } from '../../src/emulator/index.js';
import { PID_FILE } from '../../src/runtime/pidfile.js';
import { CLI, collect, runCli, startNode } from '../helpers/processes.js';

describe('gateway stop is graceful', () => {
  let emulator: Emulator;
  let home: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    home = join(mkdtempSync(join(tmpdir(), 'clawkeep-graceful-')), 'home');
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(join(home, '..'), { recursive: true, force: true });
  });

  /** `gateway run` on this home, once it says where it listens; `stderr()` is what it printed so far. */
  async function runGateway() {
    const gw = startNode(CLI, ['--home', home, 'gateway', 'run'], { env: emulator.env() });
    const done = collect(gw);
    let err = '';
    gw.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    for (let i = 0; i < 200 && !/listening on (http:\S+)/.test(err); i++) await sleep(25);
    const url = /listening on (http:\S+)/.exec(err)![1]!;
    return { gw, done, url, stderr: () => err };
  }

  it('an in-flight stream finishes after SIGTERM; new connections are refused', async () => {
    expect(
      (
        await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', 'k'], {
          input: 'sk-emu-graceful',
        })
      ).code,
    ).toBe(0);
    const key = (await runCli(home, ['clients', 'add', 'agent'])).stdout.trim();
    writeFileSync(
      join(home, 'config.yaml'),
      'gateway:\n  port: 0\n  shutdownGraceMs: 5000\nchains:\n  k: ["openai/gpt-4.1"]\n',
    );
    const { gw, done, url } = await runGateway();
    await new EmulatorControl(emulator.url).addFault({
      target: 'model',
      provider: 'openai',
      latencyMs: 1200,
    });
    const inflight = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'chain:k',
        messages: [{ role: 'user', content: 'slow one' }],
        stream: true,
      }),
    });
    await sleep(300);
    gw.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('data: [DONE]');
    expect(text).toContain('"finish_reason":"stop"');
    const exit = await done;
    expect(exit.code).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('a second Ctrl-C while stopping exits at once (130) and takes the pid file with it', async () => {
    // Runs after the test above: the profile, the client key and the config are in place.
    const key = (await runCli(home, ['clients', 'add', 'impatient'])).stdout.trim();
    const { gw, done, url, stderr } = await runGateway();
    expect(existsSync(join(home, PID_FILE))).toBe(true);
    const control = new EmulatorControl(emulator.url);
    await control.clearFaults();
    await control.addFault({ target: 'model', provider: 'openai', latencyMs: 4000 });
    const inflight = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chain:k', messages: [{ role: 'user', content: 'slow' }], stream: true }),
    }).catch(() => null);
    await sleep(300);
    gw.kill('SIGINT');
    for (let i = 0; i < 200 && !/stopping/.test(stderr()); i++) await sleep(25);
    expect(stderr()).toMatch(/Ctrl-C: stopping; waiting up to .* for 1 in-flight request/);
    gw.kill('SIGINT');
    const exit = await done;
    expect(exit.code).toBe(130);
    expect(existsSync(join(home, PID_FILE)), 'no stale pid file left behind').toBe(false);
    await inflight;
    await control.clearFaults();
  });
});
