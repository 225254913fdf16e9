import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, EmulatorControl, startEmulator } from '../../src/emulator/index.js';
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
    const gw = startNode(CLI, ['--home', home, 'gateway', 'run'], { env: emulator.env() });
    const done = collect(gw);
    let err = '';
    gw.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    for (let i = 0; i < 200 && !/listening on (http:\S+)/.test(err); i++) await sleep(25);
    const url = /listening on (http:\S+)/.exec(err)![1]!;
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
});
