import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { Profile, Store } from '../store/types.js';
import { createLinkedSources } from './index.js';

/** An unsigned JWT-shaped fake access token with the given claims (never a real token). */
function fakeJwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.fake-signature`;
}

const AUTH = 'https://api.openai.com/auth';
const codexAccess = (iat: number, account = 'acct-fake-1') =>
  fakeJwt({ iat, exp: iat + 3600, [AUTH]: { chatgpt_account_id: account } });

describe('createLinkedSources over the store refs', () => {
  let dir: string;
  let store: Store;
  const now = 1_790_000_000_000;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-linked-unit-'));
    store = openStore({ home: join(dir, 'home') }).store;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function codexProfile(iat: number, refresh: string): Promise<Profile> {
    return store.insertProfile(
      {
        id: 'openai-codex:default',
        type: 'oauth',
        access: codexAccess(iat),
        refresh,
        expires: (iat + 3600) * 1000,
        issuedAt: iat * 1000,
        accountId: 'acct-fake-1',
      },
      now,
    );
  }

  function writeAuth(tokens: Record<string, unknown>, mode = 0o640): string {
    const path = join(dir, 'auth.json');
    const doc = {
      OPENAI_API_KEY: null,
      tokens: { id_token: 'fake-id', ...tokens },
      last_refresh: '2026-09-01T00:00:00Z',
      extra: [1],
    };
    writeFileSync(path, JSON.stringify(doc, null, 2), { mode });
    return path;
  }

  it('costs nothing for a profile without refs', async () => {
    const p = await codexProfile(1_790_000_000, 'fake-r1');
    const linked = createLinkedSources(store);
    expect(await linked.read(p)).toEqual([]);
    await linked.writeBack(p);
  });

  it('reads the copy with its source name; skips another account and fence markers', async () => {
    const p = await codexProfile(1_790_000_000, 'fake-r1');
    const path = writeAuth({ access_token: codexAccess(1_790_000_100), refresh_token: 'fake-r2' });
    await store.addLinkedSource({ profileId: p.id, kind: 'codex-auth-json', location: path }, now);
    const linked = createLinkedSources(store);
    expect(await linked.read(p)).toEqual([
      expect.objectContaining({
        source: `codex-auth-json:${path}`,
        refresh: 'fake-r2',
        accountId: 'acct-fake-1',
      }),
    ]);
    writeAuth({ access_token: codexAccess(1_790_000_100, 'acct-fake-other'), refresh_token: 'fake-r3' });
    expect(await linked.read(p)).toEqual([]);
    writeAuth({
      access_token: codexAccess(1_790_000_100),
      refresh_token: 'openclaw-oauth-refresh-fence:v1:x',
    });
    expect(await linked.read(p)).toEqual([]);
    writeFileSync(path, '{ not json');
    expect(await linked.read(p)).toEqual([]);
  });

  it('writes back in place: unknown fields and id_token kept, a loose mode tightened and said so', async () => {
    const p = await codexProfile(1_790_000_200, 'fake-r9');
    const path = writeAuth({ access_token: codexAccess(1_790_000_000), refresh_token: 'fake-r1' }, 0o640);
    await store.addLinkedSource({ profileId: p.id, kind: 'codex-auth-json', location: path }, now);
    const notices = await createLinkedSources(store).writeBack(p);
    expect(notices).toEqual([`tightened permissions of ${path} from 640 to 600 (it holds tokens)`]);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    expect(doc.tokens).toEqual({
      id_token: 'fake-id',
      access_token: p.access,
      refresh_token: 'fake-r9',
      account_id: 'acct-fake-1',
    });
    expect(doc.extra).toEqual([1]);
    expect(doc.OPENAI_API_KEY).toBeNull();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('never regresses a fresher copy, never overwrites another account, skips a vanished file', async () => {
    const p = await codexProfile(1_790_000_000, 'fake-r1');
    const path = writeAuth({ access_token: codexAccess(1_790_000_500), refresh_token: 'fake-r5' });
    await store.addLinkedSource({ profileId: p.id, kind: 'codex-auth-json', location: path }, now);
    const linked = createLinkedSources(store);
    await linked.writeBack(p);
    expect(JSON.parse(readFileSync(path, 'utf8')).tokens.refresh_token).toBe('fake-r5');

    writeAuth({ access_token: codexAccess(1_789_000_000, 'acct-fake-other'), refresh_token: 'fake-other' });
    await expect(linked.writeBack(p)).rejects.toMatchObject({ code: 'source_invalid' });
    expect(JSON.parse(readFileSync(path, 'utf8')).tokens.refresh_token).toBe('fake-other');

    rmSync(path);
    await linked.writeBack(p);
  });

  it('claude and pi formats round-trip with their own fields and expiry conventions', async () => {
    const p = await store.insertProfile(
      {
        id: 'anthropic:default',
        type: 'oauth',
        access: 'fake-a2',
        refresh: 'fake-r2',
        expires: now + 7_200_000,
        issuedAt: now,
      },
      now,
    );
    const claude = join(dir, '.credentials.json');
    writeFileSync(
      claude,
      JSON.stringify({
        claudeAiOauth: {
          accessToken: 'fake-a1',
          refreshToken: 'fake-r1',
          expiresAt: now,
          scopes: ['user:inference'],
          subscriptionType: 'max',
        },
        mcpOAuth: {},
      }),
    );
    const pi = join(dir, 'pi-auth.json');
    writeFileSync(
      pi,
      JSON.stringify(
        {
          anthropic: { type: 'oauth', access: 'fake-a1', refresh: 'fake-r1', expires: now },
          openai: { type: 'api_key', key: 'fake-k' },
        },
        null,
        2,
      ),
    );
    await store.addLinkedSource({ profileId: p.id, kind: 'claude-credentials', location: claude }, now);
    await store.addLinkedSource({ profileId: p.id, kind: 'pi-auth', location: pi }, now);
    await createLinkedSources(store).writeBack(p);
    expect(JSON.parse(readFileSync(claude, 'utf8'))).toEqual({
      claudeAiOauth: {
        accessToken: 'fake-a2',
        refreshToken: 'fake-r2',
        expiresAt: now + 7_200_000,
        scopes: ['user:inference'],
        subscriptionType: 'max',
      },
      mcpOAuth: {},
    });
    const piDoc = JSON.parse(readFileSync(pi, 'utf8'));
    // pi keeps Anthropic expiries 5 minutes early; reading adds them back.
    expect(piDoc.anthropic).toEqual({
      type: 'oauth',
      access: 'fake-a2',
      refresh: 'fake-r2',
      expires: now + 7_200_000 - 300_000,
    });
    expect(piDoc.openai).toEqual({ type: 'api_key', key: 'fake-k' });
    const copies = await createLinkedSources(store).read(p);
    expect(copies.map((c) => c.expires)).toEqual([now + 7_200_000, now + 7_200_000]);
  });

  it("waits for pi's own lock on auth.json before writing, as pi does", async () => {
    const p = await store.insertProfile(
      {
        id: 'anthropic:default',
        type: 'oauth',
        access: 'fake-a2',
        refresh: 'fake-r2',
        expires: now + 7_200_000,
        issuedAt: now,
      },
      now,
    );
    const pi = join(dir, 'pi-auth.json');
    writeFileSync(
      pi,
      JSON.stringify({ anthropic: { type: 'oauth', access: 'fake-a1', refresh: 'fake-r1', expires: now } }),
    );
    await store.addLinkedSource({ profileId: p.id, kind: 'pi-auth', location: pi }, now);
    const release = await lockfile.lock(pi, { realpath: false, stale: 30_000 });
    let written = false;
    const writing = createLinkedSources(store)
      .writeBack(p)
      .then(() => {
        written = true;
      });
    await new Promise((r) => setTimeout(r, 300));
    expect(written).toBe(false);
    expect(JSON.parse(readFileSync(pi, 'utf8')).anthropic.refresh).toBe('fake-r1');
    await release();
    await writing;
    expect(JSON.parse(readFileSync(pi, 'utf8')).anthropic.refresh).toBe('fake-r2');
  });
});
