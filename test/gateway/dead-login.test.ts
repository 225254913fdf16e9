import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliStack, type MintedLogin, startCliStack } from '../helpers/cli-stack.js';

/**
 * A login the provider revoked leaves the pool at once, through the built CLI: the request that
 * finds it out falls back loudly (reason needs_reauth), the login is marked with the provider's
 * reason, a webhook and a metric announce it, and no later request tries it again.
 */
describe('a revoked login leaves every pool (built CLI, emulator)', () => {
  let stack: CliStack;
  let emuUrl: string;
  let url: string;
  let key: string;
  let hooks: Server;
  const received: Array<Record<string, unknown>> = [];
  let onHook = () => {};
  const minted: Record<string, MintedLogin> = {};

  const chat = async () => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-5', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    return {
      status: res.status,
      profile: res.headers.get('x-clawkeep-profile'),
      fallback: res.headers.get('x-clawkeep-fallback'),
    };
  };

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        onHook();
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    stack = await startCliStack('dead-login');
    emuUrl = stack.emulatorUrl;
    for (const name of ['a', 'b'])
      minted[`openai-codex:${name}`] = await stack.addLogin('openai-codex', name);
    key = (await stack.cli(['clients', 'add', 'agent'])).stdout.trim();
    const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    writeFileSync(join(stack.home, 'config.yaml'), `gateway:\n  webhook: ${hookUrl}\n`);
    ({ url } = await stack.startGateway());
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => hooks?.close(resolve));
  });

  it('is found out once, announced, marked with the reason, and never tried again', async () => {
    const first = await chat();
    expect(first.status).toBe(200);
    const dead = first.profile!;
    const live = dead === 'openai-codex:a' ? 'openai-codex:b' : 'openai-codex:a';

    const lost = new Promise<void>((resolve) => {
      onHook = () => {
        if (received.some((r) => r.event === 'login_lost')) resolve();
      };
    });
    const revoked = await fetch(`${emuUrl}/_emulator/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh: minted[dead]!.refresh }),
    });
    expect(revoked.status).toBe(200);

    const found = await chat();
    expect(found).toMatchObject({ status: 200, profile: live });
    expect(found.fallback).toContain(`@${dead} -> `);
    expect(found.fallback).toContain('reason=needs_reauth');

    await lost;
    expect(received.find((r) => r.event === 'login_lost')).toMatchObject({
      profile: dead,
      provider: 'openai-codex',
      status: 'needs_reauth',
      reason: 'refresh_token_invalidated',
    });

    // It has left the pool: every later request goes to the live login without a fallback.
    const later = await Promise.all(Array.from({ length: 10 }, () => chat()));
    expect(later.map((r) => [r.status, r.profile, r.fallback])).toEqual(Array(10).fill([200, live, null]));

    const metrics = await (
      await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } })
    ).text();
    expect(metrics).toMatch(
      /clawkeep_logins_lost_total\{provider="openai-codex",reason="refresh_token_invalidated"\} 1/,
    );
    const status = JSON.parse((await stack.run(['models', 'status', '--json'])).stdout) as Array<{
      id: string;
      status: string;
      statusReason: string | null;
    }>;
    expect(status.find((p) => p.id === dead)).toMatchObject({
      status: 'needs_reauth',
      statusReason: 'refresh_token_invalidated',
    });
    const stats = (await (await fetch(`${emuUrl}/_emulator/stats`)).json()) as {
      accessRejected: { revoked: number };
    };
    expect(stats.accessRejected.revoked).toBe(1);
  });
});
