import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from '../helpers/cli-stack.js';

/**
 * A Responses request that continues a stored response reaches the login that created it
 * (CLIProxyAPI #2594), through the built CLI. Two OpenAI API keys in a pool; the emulator stores
 * responses per key and answers 400 `previous_response_not_found` under the other one, as OpenAI does.
 */
describe('previous_response_id goes home (built CLI, emulator)', () => {
  let stack: CliStack;
  let emuUrl: string;
  let url: string;
  let key: string;
  const cli = (args: string[]) => stack.run(args);

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
    stack = await startCliStack('resp-home');
    emuUrl = stack.emulatorUrl;
    for (const name of ['one', 'two']) {
      await stack.cli(
        ['profiles', 'add-key', '--provider', 'openai', '--name', name],
        `sk-emu-openai-${name}\n`,
      );
    }
    key = (await stack.cli(['clients', 'add', 'agent'])).stdout.trim();
    // A pool of the two keys, `two` listed first: a new conversation goes to `two` while it serves.
    writeFileSync(
      join(stack.home, 'config.yaml'),
      'chains:\n  pool:\n    - target: openai/gpt-4.1\n      profiles: [openai:two, openai:one]\n      strategy: quota-aware\n',
    );
    ({ url } = await stack.startGateway());
  });
  afterAll(async () => {
    await stack?.stop();
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
