import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OidcPeer, startOidcPeer } from './oidc-peer.js';

interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  token_type?: string;
  id_token?: string;
  scope?: string;
  error?: string;
  error_description?: string;
}

async function refresh(
  peer: OidcPeer,
  refreshToken: string,
): Promise<{ status: number; body: TokenResponse }> {
  const res = await fetch(peer.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: peer.clientId,
    }).toString(),
  });
  return { status: res.status, body: (await res.json()) as TokenResponse };
}

describe('oidc-peer (panva oidc-provider, rotating refresh tokens)', () => {
  let peer: OidcPeer;

  beforeAll(async () => {
    peer = await startOidcPeer({ accessTtlSeconds: 120 });
  });
  afterAll(async () => {
    await peer.close();
  });

  it('exposes issuer, token endpoint and client id', () => {
    expect(peer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(peer.tokenUrl).toBe(`${peer.issuer}/token`);
    expect(peer.clientId).toBeTruthy();
  });

  it('mints tokens without touching the stats', async () => {
    const before = peer.stats();
    const t = await peer.mint('acct-mint');
    expect(t.access).toMatch(/^[\w-]{20,}$/);
    expect(t.refresh).toMatch(/^[\w-]{20,}$/);
    expect(t.expires).toBeGreaterThan(Date.now() + 110_000);
    expect(t.expires).toBeLessThanOrEqual(Date.now() + 121_000);
    expect(peer.stats()).toEqual(before);
  });

  it('rotates on refresh; reuse of a consumed token → invalid_grant and the grant is revoked', async () => {
    const before = peer.stats();
    const minted = await peer.mint('acct-1');

    const first = await refresh(peer, minted.refresh);
    expect(first.status).toBe(200);
    expect(first.body.access_token).toBeTruthy();
    expect(first.body.refresh_token).toBeTruthy();
    expect(first.body.refresh_token).not.toBe(minted.refresh);
    expect(first.body.expires_in).toBe(120);
    expect(first.body.token_type).toBe('Bearer');
    expect(peer.stats().refreshes).toBe(before.refreshes + 1);

    const second = await refresh(peer, first.body.refresh_token!);
    expect(second.status).toBe(200);
    const newest = second.body.refresh_token!;
    expect(newest).not.toBe(first.body.refresh_token);

    // Present the consumed (first) token again.
    const reused = await refresh(peer, minted.refresh);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    expect(peer.stats()).toEqual({
      refreshes: before.refreshes + 2,
      invalidGrant: before.invalidGrant + 1,
      grantsRevoked: before.grantsRevoked + 1,
    });

    // The whole family is gone: the newest refresh token no longer works either.
    const afterRevoke = await refresh(peer, newest);
    expect(afterRevoke.status).toBe(400);
    expect(afterRevoke.body.error).toBe('invalid_grant');
    expect(peer.stats().invalidGrant).toBe(before.invalidGrant + 2);
  });

  it('other accounts are unaffected by one revoked grant', async () => {
    const a = await peer.mint('acct-a');
    const b = await peer.mint('acct-b');
    expect((await refresh(peer, a.refresh)).status).toBe(200);
    expect((await refresh(peer, a.refresh)).status).toBe(400);
    expect((await refresh(peer, b.refresh)).status).toBe(200);
  });

  it('concurrent presentations of one token: exactly one wins, the grant is revoked', async () => {
    const before = peer.stats();
    const t = await peer.mint('acct-race');
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(peer, t.refresh)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.body.error === 'invalid_grant')).toHaveLength(4);
    expect((await refresh(peer, ok[0]!.body.refresh_token!)).status).toBe(400);
    expect(peer.stats().grantsRevoked).toBeGreaterThanOrEqual(before.grantsRevoked + 1);
  });
});

describe('oidc-peer without token-endpoint serialization', () => {
  it('still rejects sequential reuse', async () => {
    const peer = await startOidcPeer({ serializeTokenEndpoint: false });
    try {
      const t = await peer.mint('acct-x');
      expect((await refresh(peer, t.refresh)).status).toBe(200);
      const again = await refresh(peer, t.refresh);
      expect(again.status).toBe(400);
      expect(again.body.error).toBe('invalid_grant');
      expect(peer.stats()).toEqual({ refreshes: 1, invalidGrant: 1, grantsRevoked: 1 });
    } finally {
      await peer.close();
    }
  });
});

describe('oidc-peer-main (CLI driver)', () => {
  it('prints the endpoint line, answers mint/stats, exits on stdin end', async () => {
    const main = fileURLToPath(new URL('./oidc-peer-main.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--access-ttl', '60'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse(((await lines.next()).value as string) ?? 'null');
    try {
      const hello = (await next()) as { issuer: string; tokenUrl: string; clientId: string };
      expect(hello.tokenUrl).toBe(`${hello.issuer}/token`);
      child.stdin.write('mint bob\n');
      const minted = (await next()) as { access: string; refresh: string; expires: number };
      expect(minted.expires).toBeGreaterThan(Date.now() + 50_000);
      const peer = { tokenUrl: hello.tokenUrl, clientId: hello.clientId } as OidcPeer;
      expect((await refresh(peer, minted.refresh)).status).toBe(200);
      expect((await refresh(peer, minted.refresh)).body.error).toBe('invalid_grant');
      child.stdin.write('stats\n');
      expect(await next()).toEqual({ refreshes: 1, invalidGrant: 1, grantsRevoked: 1 });
      child.stdin.end();
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      child.kill();
    }
  }, 20_000);
});
