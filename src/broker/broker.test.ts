import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { Broker } from './broker.js';
import { tryClaimLease } from './lease.js';
import type { LinkedSources } from './linked.js';

const HOUR = 3_600_000;
const env = { CLAWKEEP_ANTHROPIC_TOKEN_URL: 'http://token.invalid/oauth/token' };

/** A scripted token endpoint: each call takes the next answer. Counts calls. */
function scriptedFetch(
  answers: Array<{ status: number; body: unknown; headers?: Record<string, string> } | 'network'>,
) {
  const calls: Array<Record<string, unknown>> = [];
  const fn = (async (_url: unknown, init?: RequestInit) => {
    calls.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    const a = answers.shift();
    if (!a) throw new Error('unexpected token-endpoint call');
    if (a === 'network') throw new TypeError('fetch failed');
    return new Response(JSON.stringify(a.body), { status: a.status, headers: a.headers ?? {} });
  }) as typeof fetch;
  return { fn, calls };
}

const rotated = (n: number) => ({
  status: 200,
  body: {
    access_token: `fake-access-${n}`,
    refresh_token: `fake-refresh-${n}`,
    expires_in: 3600,
    account: { uuid: 'acct' },
  },
});

describe('Broker', () => {
  let home: string;
  let store: Store;
  let now: number;
  const clock = () => now;

  beforeEach(async () => {
    home = mkdtempSync(join(tmpdir(), 'clawkeep-broker-'));
    store = openStore({ home }).store;
    now = 1_800_000_000_000;
    await store.insertProfile(
      {
        id: 'anthropic:a',
        type: 'oauth',
        access: 'fake-access-0',
        refresh: 'fake-refresh-0',
        expires: now + HOUR,
        issuedAt: now,
      },
      now,
    );
  });
  afterEach(async () => {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('serves a token outside the refresh window without calling the endpoint', async () => {
    const f = scriptedFetch([]);
    const broker = new Broker({ store, clock, env, fetch: f.fn });
    expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-0');
    now += HOUR - 6 * 60_000; // 6 min left: outside the 5 min window
    expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-0');
    expect(f.calls).toHaveLength(0);
  });

  it('refreshes once inside the window for many concurrent callers and stores the rotation first', async () => {
    const f = scriptedFetch([rotated(1)]);
    const broker = new Broker({ store, clock, env, fetch: f.fn });
    now += HOUR - 60_000;
    const tokens = await Promise.all(Array.from({ length: 100 }, () => broker.getAccessToken('anthropic:a')));
    expect(new Set(tokens)).toEqual(new Set(['fake-access-1']));
    expect(f.calls).toEqual([
      { grant_type: 'refresh_token', refresh_token: 'fake-refresh-0', client_id: expect.any(String) },
    ]);
    expect(await store.getProfile('anthropic:a')).toMatchObject({
      generation: 2,
      refresh: 'fake-refresh-1',
      accountId: 'acct',
    });
  });

  it('takes its lease lifetime from CLAWKEEP_LEASE_TTL_MS when not given one (the gateway passes only env)', async () => {
    let leaseUntil: number | null = null;
    const inner = scriptedFetch([rotated(1)]);
    const fetchSeeingLease = (async (url: unknown, init?: RequestInit) => {
      leaseUntil = (await store.getProfile('anthropic:a'))?.leaseUntil ?? null;
      return inner.fn(url as string, init);
    }) as typeof fetch;
    const broker = new Broker({
      store,
      clock,
      env: { ...env, CLAWKEEP_LEASE_TTL_MS: '4321' },
      fetch: fetchSeeingLease,
    });
    now += HOUR - 60_000;
    await broker.getAccessToken('anthropic:a');
    expect(leaseUntil).toBe(now + 4321);
  });

  it('refuses an invalid CLAWKEEP_LEASE_TTL_MS naming it', () => {
    expect(() => new Broker({ store, env: { CLAWKEEP_LEASE_TTL_MS: 'soon' } })).toThrow(
      /CLAWKEEP_LEASE_TTL_MS="soon": expected a positive whole number/,
    );
  });

  it('adopts a rotation another process committed instead of refreshing again', async () => {
    const f = scriptedFetch([]);
    const broker = new Broker({ store, clock, env, fetch: f.fn });
    await broker.getAccessToken('anthropic:a');
    await tryClaimLease(store, {
      id: 'anthropic:a',
      owner: 'other/1/x',
      now,
      ttlMs: 1000,
      isFresh: () => false,
      isOwnerDead: () => false,
    });
    await store.commitRotation(
      'anthropic:a',
      'fake-refresh-0',
      { access: 'fake-access-9', refresh: 'fake-refresh-9', expires: now + 2 * HOUR, issuedAt: now },
      now,
    );
    now += HOUR - 60_000;
    expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-9');
    expect(f.calls).toHaveLength(0);
  });

  it('persists needs_reauth on a permanent failure and never calls the endpoint again', async () => {
    const f = scriptedFetch([
      {
        status: 400,
        body: { error: 'invalid_grant', error_description: 'Refresh token not found or invalid' },
      },
    ]);
    const broker = new Broker({ store, clock, env, fetch: f.fn });
    now += HOUR - 60_000;
    await expect(broker.getAccessToken('anthropic:a')).rejects.toMatchObject({
      code: 'reauth_required',
      details: { reason: 'invalid_grant' },
    });
    await expect(broker.getAccessToken('anthropic:a')).rejects.toMatchObject({ code: 'reauth_required' });
    await expect(
      new Broker({ store, clock, env, fetch: f.fn }).getAccessToken('anthropic:a'),
    ).rejects.toMatchObject({
      code: 'reauth_required',
    });
    expect(f.calls).toHaveLength(1);
    expect(await store.getProfile('anthropic:a')).toMatchObject({
      status: 'needs_reauth',
      statusReason: 'invalid_grant',
      leaseOwner: null,
    });
  });

  it('on a transient failure keeps serving the still-valid token and backs off', async () => {
    const f = scriptedFetch([{ status: 503, body: { error: 'overloaded' } }, 'network', rotated(1)]);
    const broker = new Broker({ store, clock, env, fetch: f.fn });
    now += HOUR - 60_000;
    expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-0');
    expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-0');
    expect(f.calls).toHaveLength(1); // backing off for 1 s
    now += 1001;
    expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-0');
    expect(f.calls).toHaveLength(2); // network error, now backing off 2 s
    now += 2001;
    expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-1');
    expect((await store.getProfile('anthropic:a'))?.status).toBe('ok');
    const kinds = (await store.listEvents()).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'refresh_failed')).toHaveLength(2);
  });

  it('honours Retry-After and fails with refresh_transient once the access token has expired', async () => {
    const f = scriptedFetch([{ status: 429, body: {}, headers: { 'retry-after': '120' } }]);
    const broker = new Broker({ store, clock, env, fetch: f.fn });
    now += HOUR + 1;
    await expect(broker.getAccessToken('anthropic:a')).rejects.toMatchObject({
      code: 'refresh_transient',
      retryable: true,
    });
    now += 60_000;
    await expect(broker.getAccessToken('anthropic:a')).rejects.toMatchObject({ code: 'refresh_transient' });
    expect(f.calls).toHaveLength(1);
  });

  it('treats OpenClaw refresh-fence markers as re-auth needed without presenting them', async () => {
    await store.replaceProfile(
      {
        id: 'anthropic:a',
        type: 'oauth',
        access: 'x',
        refresh: 'openclaw-oauth-refresh-fence:v1:abc',
        expires: now - 1,
      },
      now,
    );
    const f = scriptedFetch([]);
    await expect(
      new Broker({ store, clock, env, fetch: f.fn }).getAccessToken('anthropic:a'),
    ).rejects.toMatchObject({
      code: 'reauth_required',
      details: { reason: 'refresh_fence' },
    });
    expect(f.calls).toHaveLength(0);
  });

  it('a login replacing the credential mid-refresh wins over the rotation in flight', async () => {
    const f = scriptedFetch([rotated(1)]);
    const racing = (async (url: unknown, init?: RequestInit) => {
      await store.replaceProfile(
        {
          id: 'anthropic:a',
          type: 'oauth',
          access: 'fake-access-login',
          refresh: 'fake-refresh-login',
          expires: now + HOUR,
          issuedAt: now,
        },
        now,
      );
      return f.fn(url as string, init);
    }) as typeof fetch;
    now += HOUR - 60_000;
    const broker = new Broker({ store, clock, env, fetch: racing });
    expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-login');
    expect((await store.listEvents()).map((e) => e.kind)).toContain('rotation_discarded');
  });

  it('serves API keys as they are and refuses disabled profiles', async () => {
    await store.insertProfile({ id: 'openai:k', type: 'api_key', access: 'fake-key' }, now);
    const broker = new Broker({ store, clock, env });
    expect(await broker.getAccessToken('openai:k')).toBe('fake-key');
    await store.setStatus('anthropic:a', 'disabled', now);
    await expect(broker.getAccessToken('anthropic:a')).rejects.toMatchObject({ code: 'profile_disabled' });
    await expect(broker.getAccessToken('openai:none')).rejects.toMatchObject({ code: 'profile_not_found' });
  });

  describe('linked sources', () => {
    function fakeLinked(copy: { access: string; refresh: string; expires: number } | null) {
      const written: string[] = [];
      const linked: LinkedSources = {
        read: async () => (copy ? [{ ...copy, issuedAt: now, source: 'fake:copy' }] : []),
        writeBack: async (p) => {
          written.push(p.refresh!);
        },
      };
      return { linked, written };
    }

    it('adopts a fresher linked copy instead of presenting a token the other tool already spent', async () => {
      const f = scriptedFetch([]);
      const { linked, written } = fakeLinked({
        access: 'fake-access-other',
        refresh: 'fake-refresh-other',
        expires: now + 2 * HOUR,
      });
      now += HOUR - 60_000;
      const broker = new Broker({ store, clock, env, fetch: f.fn, linked });
      expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-other');
      expect(f.calls).toHaveLength(0);
      const events = await store.listEvents();
      expect(events.at(-1)).toMatchObject({ kind: 'adopted', data: { source: 'fake:copy', generation: 2 } });
      // The other linked tools still held the token the adopting tool spent: written in step at once.
      expect(written).toEqual(['fake-refresh-other']);
    });

    it('on a permanent failure adopts a fresher linked copy and continues with it', async () => {
      const f = scriptedFetch([{ status: 400, body: { error: 'invalid_grant' } }, rotated(7)]);
      // Fresher than ours (later expiry) but itself inside the refresh window, so it gets presented next.
      const copy = {
        access: 'fake-access-other',
        refresh: 'fake-refresh-other',
        expires: now + HOUR + 30_000,
        issuedAt: now + 1,
      };
      let visible = false;
      const linked: LinkedSources = {
        read: async () => (visible ? [{ ...copy, source: 'fake:copy' }] : []),
        writeBack: async () => undefined,
      };
      const racing = (async (url: unknown, init?: RequestInit) => {
        visible = true; // the other tool rotated just before us
        return f.fn(url as string, init);
      }) as typeof fetch;
      now += HOUR - 60_000;
      const broker = new Broker({ store, clock, env, fetch: racing, linked });
      expect(await broker.getAccessToken('anthropic:a')).toBe('fake-access-7');
      expect(f.calls.map((c) => c.refresh_token)).toEqual(['fake-refresh-0', 'fake-refresh-other']);
      expect(await store.getProfile('anthropic:a')).toMatchObject({
        status: 'ok',
        refresh: 'fake-refresh-7',
        generation: 3,
      });
    });

    it('writes every rotation back to the linked sources, and a failing write never fails the caller', async () => {
      const f = scriptedFetch([rotated(1), rotated(2)]);
      const { linked, written } = fakeLinked(null);
      now += HOUR - 60_000;
      expect(await new Broker({ store, clock, env, fetch: f.fn, linked }).getAccessToken('anthropic:a')).toBe(
        'fake-access-1',
      );
      expect(written).toEqual(['fake-refresh-1']);
      const broken: LinkedSources = {
        read: async () => [],
        writeBack: async () => Promise.reject(new Error('disk full')),
      };
      now += HOUR;
      expect(
        await new Broker({ store, clock, env, fetch: f.fn, linked: broken }).getAccessToken('anthropic:a'),
      ).toBe('fake-access-2');
      expect((await store.listEvents()).at(-1)).toMatchObject({
        kind: 'linked_write_failed',
        data: { message: 'disk full' },
      });
    });

    it('looks for a revived login of a needs_reauth profile at most every 5 s', async () => {
      await store.markNeedsReauth('anthropic:a', 'fake-refresh-0', 'refresh_token_reused', now);
      let reads = 0;
      const linked: LinkedSources = {
        read: async () => {
          reads++;
          return [];
        },
        writeBack: async () => undefined,
      };
      const broker = new Broker({ store, clock, env, fetch: scriptedFetch([]).fn, linked });
      for (let i = 0; i < 3; i++) {
        await expect(broker.getAccessToken('anthropic:a')).rejects.toMatchObject({ code: 'reauth_required' });
      }
      expect(reads).toBe(1);
      now += 5001;
      await expect(broker.getAccessToken('anthropic:a')).rejects.toMatchObject({ code: 'reauth_required' });
      expect(reads).toBe(2);
    });

    it('revives a needs_reauth profile when a linked tool holds a newer login', async () => {
      await store.markNeedsReauth('anthropic:a', 'fake-refresh-0', 'refresh_token_reused', now);
      const { linked } = fakeLinked({
        access: 'fake-access-relogin',
        refresh: 'fake-refresh-relogin',
        expires: now + 2 * HOUR,
      });
      const f = scriptedFetch([]);
      expect(await new Broker({ store, clock, env, fetch: f.fn, linked }).getAccessToken('anthropic:a')).toBe(
        'fake-access-relogin',
      );
      expect(await new Broker({ store, clock, env, fetch: f.fn }).getAccessToken('anthropic:a')).toBe(
        'fake-access-relogin',
      );
      expect(f.calls).toHaveLength(0);
    });
  });

  it('refreshRejected rotates a token upstream refused, once, and adopts instead when another process already rotated', async () => {
    const f = scriptedFetch([rotated(1)]);
    const broker = new Broker({ store, clock, env, fetch: f.fn });
    expect((await broker.getCredential('anthropic:a')).access).toBe('fake-access-0');
    const c = await broker.refreshRejected('anthropic:a', 'fake-access-0');
    expect(c).toMatchObject({ access: 'fake-access-1', generation: 2 });
    expect(f.calls).toHaveLength(1);
    // A stale rejection (the store already moved on) adopts without calling the endpoint.
    expect((await broker.refreshRejected('anthropic:a', 'fake-access-0')).access).toBe('fake-access-1');
    expect(f.calls).toHaveLength(1);
  });
});
