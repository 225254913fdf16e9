import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net.js';
import { runCli } from '../helpers/processes.js';
import { CliProcess } from '../lifetime/processes.js';

/**
 * A Responses request that continues a stored response reaches the login that created it
 * (CLIProxyAPI #2594), through the built CLI. Two OpenAI API keys in a pool; the emulator stores
 * responses per key and answers 400 `previous_response_not_found` under the other one, as OpenAI does.
 */
describe('previous_response_id goes home (built CLI, emulator)', () => {
  let home: string;
  let emulator: CliProcess;
  let emuUrl: string;
  let gateway: CliProcess;
  let url: string;
  let key: string;
  let cli: (args: string[]) => ReturnType<typeof runCli>;

  const respond = async (body: Record<string, unknown>) => {
    const res = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'pool', ...body }),
    });
    const json = (await res.json()) as { id?: string; error?: { code?: string } };
    return { status: res.status, profile: res.headers.get('x-clawkeep-profile'), json };
  };

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'clawkeep-resp-home-'));
    emulator = new CliProcess(['emulator', '--port', '0'], {});
    emuUrl = (await emulator.waitFor(/listening on (http:\/\/\S+)/))[1]!;
    await emulator.waitFor(/counters: /);
    const env: Record<string, string> = { CLAWKEEP_HOME: home };
    for (const m of emulator.out.matchAll(/export (CLAWKEEP_[A-Z_]+)=(\S+)/g)) env[m[1]!] = m[2]!;
    for (const name of ['one', 'two']) {
      const r = await runCli(home, ['profiles', 'add-key', '--provider', 'openai', '--name', name], {
        env,
        input: `sk-emu-openai-${name}\n`,
      });
      expect(r.code, r.stderr).toBe(0);
    }
    key = (await runCli(home, ['clients', 'add', 'agent'], { env })).stdout.trim();
    // A pool of the two keys, `two` listed first: a new conversation goes to `two` while it serves.
    writeFileSync(
      join(home, 'config.yaml'),
      'chains:\n  pool:\n    - target: openai/gpt-4.1\n      profiles: [openai:two, openai:one]\n      strategy: quota-aware\n',
    );
    cli = (args) => runCli(home, args, { env });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    gateway = new CliProcess(['--home', home, 'gateway', 'run', '--port', String(port)], env);
    await gateway.waitFor(/clawkeep gateway listening on/);
  });
  afterAll(async () => {
    await gateway?.stop();
    await emulator?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('sends a continuation to the key that stored the response, though the pool would start a new one elsewhere', async () => {
    // The response is stored under `one` while `two` is out of service.
    expect((await cli(['profiles', 'disable', 'openai:two'])).code).toBe(0);
    let first = await respond({ input: 'hi', prompt_cache_key: 'first' });
    for (let i = 0; first.profile !== 'openai:one' && i < 100; i++) {
      first = await respond({ input: 'hi', prompt_cache_key: `first-${i}` });
    }
    expect(first).toMatchObject({ status: 200, profile: 'openai:one' });
    const creator = 'openai:one';
    // Back in service, `two` takes new conversations (once the gateway has seen the change).
    expect((await cli(['profiles', 'enable', 'openai:two'])).code).toBe(0);
    let other = await respond({ input: 'hi', prompt_cache_key: 'elsewhere' });
    for (let i = 0; other.profile !== 'openai:two' && i < 100; i++) {
      other = await respond({ input: 'hi', prompt_cache_key: `elsewhere-${i}` });
    }
    expect(other.profile).toBe('openai:two');
    // A continuation in yet another conversation still goes to the creator, and the upstream finds it.
    const next = await respond({
      input: 'and then?',
      prompt_cache_key: 'second',
      previous_response_id: first.json.id,
    });
    expect(next).toMatchObject({ status: 200, profile: creator });
    // The emulator is strict, as OpenAI is: under the other key the response is not found.
    const otherKey = 'sk-emu-openai-two';
    const direct = await fetch(`${emuUrl}/openai/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${otherKey}` },
      body: JSON.stringify({ model: 'gpt-4.1', input: 'x', previous_response_id: first.json.id }),
    });
    expect(direct.status).toBe(400);
    expect(((await direct.json()) as { error: { code: string } }).error.code).toBe(
      'previous_response_not_found',
    );
  });
});
