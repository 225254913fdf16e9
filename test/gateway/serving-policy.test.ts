import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, startCliStack } from '../helpers/cli-stack.js';
import { runCli } from '../helpers/processes.js';

/**
 * The serving policy through the built CLI, as a user sets it up: an Anthropic API key and a Claude
 * subscription login in one home (docs/gateway.md). A plain client never lands on the subscription,
 * before or after the key is disabled and re-enabled; a Claude Code key does; an opt-in is explicit.
 */
describe('a Claude subscription serves Claude Code alone (built CLI, emulator)', () => {
  let stack: CliStack;
  let home: string;
  let env: Record<string, string>;
  let url: string;
  const keys: Record<string, string> = {};

  const cli = (args: string[], input?: string) => stack.cli(args, input);
  const ask = async (client: string, model = 'claude-sonnet-4-5') => {
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': keys[client]!,
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({ model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = (await res.json()) as { error?: { type?: string; message?: string } };
    return { status: res.status, profile: res.headers.get('x-clawkeep-profile'), body };
  };
  /** Asks until the gateway has seen a profile change (its directory refreshes in the background). */
  const askUntil = async (client: string, done: (a: Awaited<ReturnType<typeof ask>>) => boolean) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const a = await ask(client);
      if (done(a) || Date.now() > deadline) return a;
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    stack = await startCliStack('policy');
    ({ home, env } = stack);
    await stack.addLogin('anthropic', 'claude');
    await cli(
      ['profiles', 'add-key', '--provider', 'anthropic', '--name', 'key'],
      'sk-emu-anthropic-policy\n',
    );
    for (const [name, flags] of [
      ['curl', []],
      ['cc', ['--kind', 'claude-code']],
    ] as const) {
      keys[name] = (await cli(['clients', 'add', name, ...flags])).stdout.trim();
    }
    ({ url } = await stack.startGateway());
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('sends a plain client to the API key every time, and refuses it in its own error shape when only the subscription is left', async () => {
    const plain = await Promise.all(Array.from({ length: 8 }, () => ask('curl')));
    expect(plain.map((a) => [a.status, a.profile])).toEqual(Array(8).fill([200, 'anthropic:key']));

    await cli(['profiles', 'disable', 'anthropic:key']);
    const refused = await askUntil('curl', (a) => a.status !== 200);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.type).toBe('permission_error');
    const message = refused.body.error?.message ?? '';
    expect(message).toContain('client curl may not use anthropic:claude');
    expect(message).toContain('Claude subscription');
    expect(message).toContain('profiles add-key --provider anthropic');
    expect(message).toContain('clients set curl --subscription');

    // Claude Code's key is served by the subscription meanwhile.
    expect(await ask('cc')).toMatchObject({ status: 200, profile: 'anthropic:claude' });

    await cli(['profiles', 'enable', 'anthropic:key']);
    const back = await askUntil('curl', (a) => a.status === 200);
    expect(back.profile).toBe('anthropic:key');
    const again = await Promise.all(Array.from({ length: 8 }, () => ask('curl')));
    expect(again.every((a) => a.profile === 'anthropic:key')).toBe(true);
  });

  it('lists who each login serves, and opts a client in only when asked', async () => {
    const listed = JSON.parse((await cli(['clients', 'list', '--json'])).stdout) as Array<{
      name: string;
      kind: string | null;
      subscriptionLogins: string[];
    }>;
    expect(listed.map((c) => [c.name, c.kind, c.subscriptionLogins])).toEqual([
      ['cc', 'claude-code', ['anthropic:claude']],
      ['curl', null, []],
    ]);
    const status = await runCli(home, ['models', 'status'], { env });
    expect(status.stdout).toContain('anthropic:claude serves claude-code clients and opted-in clients: cc');

    const set = await cli(['clients', 'set', 'curl', '--subscription']);
    expect(set.stderr).toContain('warning: client curl may now use subscription logins');
    await cli(['profiles', 'disable', 'anthropic:key']);
    const optedIn = await askUntil('curl', (a) => a.profile === 'anthropic:claude');
    expect(optedIn).toMatchObject({ status: 200, profile: 'anthropic:claude' });

    const bad = await runCli(home, ['clients', 'set', 'curl', '--kind', 'claude'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--kind claude: not a client kind; use one of codex, claude-code, opencode, pi, openclaw',
    );
  });
});
