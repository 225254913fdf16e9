import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LeaseAttempt, leaseExpectation, tryClaimLease } from '../../src/broker/lease.js';
import { keyIdOf } from '../../src/store/crypto/token-cipher.js';
import type { ProfileChange, ProfileInput, Store } from '../../src/store/types.js';

export interface StoreSuiteOptions {
  name: string;
  /** A new, empty store. */
  createStore: () => Promise<Store>;
  /** A second connection to the same store (another process or host would hold one). */
  reopen: (store: Store) => Promise<Store>;
  /** Whose clock judges leases: the caller's `now` (SQLite, one host) or the database's (PostgreSQL). */
  leaseClock: 'caller' | 'database';
  /** The token columns of a row exactly as the backend keeps them, read past the store. */
  readRaw: (store: Store, id: string) => Promise<{ access: string | null; refresh: string | null }>;
}

/** The one conformance suite every Store backend must pass (SQLite and PostgreSQL). */
export function runStoreSuite({ name, createStore, reopen, leaseClock, readRaw }: StoreSuiteOptions): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    const T0 = 1_800_000_000_000;
    const oauth = (over: Partial<ProfileInput> = {}): ProfileInput => ({
      id: 'openai-codex:default',
      type: 'oauth',
      access: 'fake-access-1',
      refresh: 'fake-refresh-1',
      expires: T0 + 3_600_000,
      issuedAt: T0,
      accountId: 'acct-1',
      email: 'a@example.test',
      ...over,
    });
    const claim = (over: Partial<LeaseAttempt> = {}): LeaseAttempt => ({
      id: 'openai-codex:default',
      owner: 'host/1/a',
      now: T0,
      ttlMs: 30_000,
      isFresh: () => false,
      isOwnerDead: () => false,
      ...over,
    });

    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('inserts, reads and lists profiles, refusing a duplicate id', async () => {
      const p = await store.insertProfile(oauth(), T0);
      expect(p).toMatchObject({ provider: 'openai-codex', name: 'default', generation: 1, status: 'ok' });
      expect(await store.getProfile(p.id)).toEqual(p);
      await expect(store.insertProfile(oauth(), T0)).rejects.toMatchObject({ code: 'profile_exists' });
      await store.insertProfile(oauth({ id: 'anthropic:work', refresh: 'fake-refresh-b' }), T0);
      expect((await store.listProfiles()).map((x) => x.id)).toEqual([
        'anthropic:work',
        'openai-codex:default',
      ]);
    });

    it('rejects malformed profile ids', async () => {
      await expect(store.insertProfile(oauth({ id: 'no-colon' }), T0)).rejects.toMatchObject({
        code: 'profile_invalid',
      });
    });

    it('replace bumps the generation, clears needs_reauth and the lease', async () => {
      await store.insertProfile(oauth(), T0);
      await tryClaimLease(store, claim());
      await store.markNeedsReauth('openai-codex:default', 'fake-refresh-1', 'refresh_token_reused', T0);
      const p = await store.replaceProfile(oauth({ refresh: 'fake-refresh-new' }), T0 + 1);
      expect(p).toMatchObject({
        generation: 2,
        status: 'ok',
        statusReason: null,
        leaseOwner: null,
        refresh: 'fake-refresh-new',
      });
    });

    it('claims a lease, reports it held to others, and lets the owner reclaim', async () => {
      await store.insertProfile(oauth(), T0);
      const a = await tryClaimLease(store, claim());
      expect(a.kind).toBe('claimed');
      expect((await tryClaimLease(store, claim({ owner: 'host/2/b' }))).kind).toBe('held');
      expect((await tryClaimLease(store, claim())).kind).toBe('claimed');
    });

    it('applies a claim only to the row as it was judged (compare-and-set), from plain data', async () => {
      await store.insertProfile(oauth(), T0);
      const read = await store.readLease('openai-codex:default', T0);
      expect(read?.profile.leaseOwner).toBeNull();
      const judged = leaseExpectation(read!.profile);
      // A peer claims between our read and our claim: ours must not apply.
      const peer = await tryClaimLease(store, claim({ owner: 'host/2/b' }));
      expect(peer.kind).toBe('claimed');
      const stale = {
        id: 'openai-codex:default',
        owner: 'host/1/a',
        now: T0,
        ttlMs: 30_000,
        tookOverFrom: null,
      };
      // structuredClone throws on a function: what the worker thread's postMessage would do.
      expect((await store.claimLease(structuredClone({ ...stale, expected: judged }))).kind).toBe('changed');
      expect((await store.getProfile('openai-codex:default'))?.leaseOwner).toBe('host/2/b');
      // A rotation between read and claim moves the generation: a claim on the old one is refused too.
      const before = leaseExpectation((await store.getProfile('openai-codex:default'))!);
      await store.commitRotation(
        'openai-codex:default',
        'fake-refresh-1',
        { access: 'fake-access-2', refresh: 'fake-refresh-2', expires: T0 + 1, issuedAt: T0 },
        T0,
      );
      expect((await store.claimLease({ ...stale, expected: before })).kind).toBe('changed');
      expect(await store.readLease('openai-codex:nope', T0)).toBeNull();
      expect((await store.claimLease({ ...stale, id: 'openai-codex:nope', expected: before })).kind).toBe(
        'changed',
      );
    });

    it('takes over an expired lease or one whose owner is dead, never a live one', async () => {
      await store.insertProfile(oauth(), T0);
      // Real time on both backends: the database clock cannot be faked.
      await tryClaimLease(store, claim({ now: Date.now(), ttlMs: 400 }));
      const live = await tryClaimLease(store, claim({ owner: 'host/2/b', now: Date.now() }));
      expect(live.kind).toBe('held');
      await sleep(600);
      const expired = await tryClaimLease(store, claim({ owner: 'host/2/b', now: Date.now() }));
      expect(expired).toMatchObject({ kind: 'claimed', tookOverFrom: 'host/1/a' });
      const dead = await tryClaimLease(
        store,
        claim({ owner: 'host/3/c', now: Date.now(), isOwnerDead: (o) => o === 'host/2/b' }),
      );
      expect(dead).toMatchObject({ kind: 'claimed', tookOverFrom: 'host/2/b' });
      const kinds = (await store.listEvents()).map((e) => e.kind);
      expect(kinds.filter((k) => k === 'lease_taken_over')).toHaveLength(2);
    });

    it('answers fresh without claiming when the stored token is still good, and needs_reauth without claiming', async () => {
      await store.insertProfile(oauth(), T0);
      expect((await tryClaimLease(store, claim({ isFresh: () => true }))).kind).toBe('fresh');
      expect((await store.getProfile('openai-codex:default'))?.leaseOwner).toBeNull();
      await store.markNeedsReauth('openai-codex:default', 'fake-refresh-1', 'invalid_grant', T0);
      expect((await tryClaimLease(store, claim())).kind).toBe('needs_reauth');
      expect((await tryClaimLease(store, claim({ id: 'openai-codex:nope' }))).kind).toBe('missing');
    });

    it('commits a rotation only over the presented refresh token (compare-and-set)', async () => {
      await store.insertProfile(oauth(), T0);
      await tryClaimLease(store, claim());
      const tokens = {
        access: 'fake-access-2',
        refresh: 'fake-refresh-2',
        expires: T0 + 7_200_000,
        issuedAt: T0 + 10,
      };
      const ok = await store.commitRotation('openai-codex:default', 'fake-refresh-1', tokens, T0 + 10);
      expect(ok.kind).toBe('committed');
      expect(ok.profile).toMatchObject({
        generation: 2,
        refresh: 'fake-refresh-2',
        leaseOwner: null,
        rotatedAt: T0 + 10,
      });
      const stale = await store.commitRotation(
        'openai-codex:default',
        'fake-refresh-1',
        { ...tokens, refresh: 'x' },
        T0 + 11,
      );
      expect(stale.kind).toBe('conflict');
      expect((await store.getProfile('openai-codex:default'))?.refresh).toBe('fake-refresh-2');
    });

    it('a rotation wins over needs_reauth set meanwhile by a peer that presented the same spent token', async () => {
      await store.insertProfile(oauth(), T0);
      await store.markNeedsReauth('openai-codex:default', 'fake-refresh-1', 'refresh_token_reused', T0 + 1);
      const tokens = {
        access: 'fake-access-2',
        refresh: 'fake-refresh-2',
        expires: T0 + 7_200_000,
        issuedAt: T0 + 2,
      };
      const out = await store.commitRotation('openai-codex:default', 'fake-refresh-1', tokens, T0 + 2);
      expect(out.profile).toMatchObject({ status: 'ok', statusReason: null, generation: 2 });
    });

    it('marks needs_reauth only while the row still holds the presented token', async () => {
      await store.insertProfile(oauth(), T0);
      const miss = await store.markNeedsReauth('openai-codex:default', 'fake-other', 'invalid_grant', T0);
      expect(miss.kind).toBe('conflict');
      const hit = await store.markNeedsReauth(
        'openai-codex:default',
        'fake-refresh-1',
        'refresh_token_reused',
        T0,
      );
      expect(hit.profile).toMatchObject({ status: 'needs_reauth', statusReason: 'refresh_token_reused' });
    });

    it('keeps an append-only event log without tokens', async () => {
      await store.insertProfile(oauth(), T0);
      await tryClaimLease(store, claim());
      await store.commitRotation(
        'openai-codex:default',
        'fake-refresh-1',
        { access: 'fake-access-2', refresh: 'fake-refresh-2', expires: T0 + 1, issuedAt: T0 },
        T0,
      );
      await store.appendEvent({ profileId: null, kind: 'fallback', data: { from: 'a', to: 'b' } }, T0);
      const events = await store.listEvents();
      expect(events.map((e) => e.kind)).toEqual(['created', 'rotated', 'fallback']);
      expect(JSON.stringify(events)).not.toMatch(/fake-(access|refresh)/);
      expect(
        (await store.listEvents({ profileId: 'openai-codex:default', afterSeq: events[0]!.seq })).map(
          (e) => e.kind,
        ),
      ).toEqual(['rotated']);
    });

    it('appends a batch of events in order, each with its own time', async () => {
      await store.appendEvents([
        { profileId: null, kind: 'fallback', data: { n: 1 }, at: T0 + 1 },
        { profileId: null, kind: 'fallback', data: { n: 2 }, at: T0 + 2 },
      ]);
      await store.appendEvents([]);
      const events = await store.listEvents();
      expect(events.map((e) => [e.at, e.data.n])).toEqual([
        [T0 + 1, 1],
        [T0 + 2, 2],
      ]);
    });

    if (leaseClock === 'database') {
      it('judges leases by the database clock: a caller 30 s ahead never steals a live lease', async () => {
        await store.insertProfile(oauth(), T0);
        const a = await tryClaimLease(store, claim({ now: Date.now() - 30_000 }));
        expect(a.kind).toBe('claimed');
        const skewed = await tryClaimLease(store, claim({ owner: 'host/2/b', now: Date.now() + 30_001 }));
        expect(skewed.kind).toBe('held');
        const until = (await store.getProfile('openai-codex:default'))!.leaseUntil!;
        expect(Math.abs(until - (Date.now() + 30_000))).toBeLessThan(5_000);
      });
    }

    it('tells a second connection about every credential change, if it offers a change signal', async () => {
      if (!store.watchChanges) return;
      const peer = await reopen(store);
      try {
        const seen: ProfileChange[] = [];
        const stop = peer.watchChanges!((c) => seen.push(c));
        await (peer as Store & { listening?: () => Promise<boolean> }).listening?.();
        await store.insertProfile(oauth(), T0);
        await tryClaimLease(store, claim());
        await store.commitRotation(
          'openai-codex:default',
          'fake-refresh-1',
          { access: 'fake-access-2', refresh: 'fake-refresh-2', expires: T0 + 1, issuedAt: T0 },
          T0,
        );
        const deadline = Date.now() + 5000;
        while (seen.at(-1)?.generation !== 2 && Date.now() < deadline) await sleep(10);
        stop();
        // A push signal (NOTIFY) reports each commit; a polled one (SQLite data_version) may coalesce
        // them. Either way the last word is the row's current generation.
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.every((c) => c.profileId === 'openai-codex:default')).toBe(true);
        expect(seen.at(-1)).toEqual({ profileId: 'openai-codex:default', generation: 2 });
        expect(JSON.stringify(seen)).not.toMatch(/fake-/);
      } finally {
        await peer.close();
      }
    });

    it('a second connection sees committed writes at once', async () => {
      const peer = await reopen(store);
      try {
        await store.insertProfile(oauth(), T0);
        expect((await tryClaimLease(peer, claim({ owner: 'host/2/b' }))).kind).toBe('claimed');
        expect((await tryClaimLease(store, claim())).kind).toBe('held');
      } finally {
        await peer.close();
      }
    });

    it('removes a profile and returns what it removed', async () => {
      await store.insertProfile(oauth(), T0);
      const removed = await store.removeProfile('openai-codex:default', T0);
      expect(removed?.refresh).toBe('fake-refresh-1');
      expect(await store.getProfile('openai-codex:default')).toBeNull();
    });

    it('keeps one quota reading per profile, the last saved', async () => {
      await store.saveQuota('openai-codex:a', '{"n":1}', T0);
      await store.saveQuota('openai-codex:b', '{"n":2}', T0 + 1);
      await store.saveQuota('openai-codex:a', '{"n":3}', T0 + 2);
      expect(await store.listQuotas()).toEqual([
        { profileId: 'openai-codex:a', data: '{"n":3}', updatedAt: T0 + 2 },
        { profileId: 'openai-codex:b', data: '{"n":2}', updatedAt: T0 + 1 },
      ]);
    });

    it('keeps each client key with its serving policy, changes it, and records the change without the hash', async () => {
      const client = (name: string, over: Record<string, unknown> = {}) => ({
        name,
        keyHash: randomBytes(32).toString('hex'),
        keyPrefix: 'ck_fake',
        chain: null,
        kind: null,
        subscriptionOptIn: false,
        createdAt: T0,
        ...over,
      });
      const cc = await store.insertClient(client('claude-code', { kind: 'claude-code' }));
      await store.insertClient(client('curl'));
      expect(await store.findClientByHash(cc.keyHash)).toEqual({ ...cc, lastUsedAt: null });
      await expect(store.insertClient(client('curl'))).rejects.toMatchObject({ code: 'client_exists' });

      const changed = await store.updateClient('curl', { subscriptionOptIn: true }, T0 + 1);
      expect(changed).toMatchObject({ name: 'curl', kind: null, subscriptionOptIn: true });
      expect(await store.updateClient('nobody', { kind: 'pi' }, T0 + 1)).toBeNull();
      const other = await reopen(store);
      const listed = await other.listClients().finally(() => other.close());
      expect(listed.map((c) => [c.name, c.kind, c.subscriptionOptIn])).toEqual([
        ['claude-code', 'claude-code', false],
        ['curl', null, true],
      ]);
      const events = await store.listEvents({ kind: 'client_changed' });
      expect(events.map((e) => e.data)).toEqual([
        { client: 'curl', chain: null, kind: null, subscriptionOptIn: true },
      ]);
      expect(JSON.stringify(await store.listEvents({}))).not.toContain(cc.keyHash);
    });

    it('adds usage per (minute, client, model) and lists it from a time on', async () => {
      const row = { client: 'agent', model: 'openai-codex/gpt-5', requests: 1, tokensIn: 10, tokensOut: 5 };
      await store.addUsage([
        { ...row, minute: T0 },
        { ...row, minute: T0 + 60_000 },
      ]);
      await store.addUsage([{ ...row, minute: T0 + 60_000, tokensIn: 1 }]);
      expect(await store.listUsage(T0 + 60_000)).toEqual([
        { ...row, minute: T0 + 60_000, requests: 2, tokensIn: 11, tokensOut: 10 },
      ]);
      expect(await store.listUsage(0)).toHaveLength(2);
    });

    describe('encryption at rest', () => {
      const key = randomBytes(32);
      const keyId = keyIdOf(key);
      const saved = process.env.CLAWKEEP_STORE_KEY;
      beforeEach(() => {
        process.env.CLAWKEEP_STORE_KEY = key.toString('base64');
      });
      afterEach(() => {
        if (saved === undefined) delete process.env.CLAWKEEP_STORE_KEY;
        else process.env.CLAWKEEP_STORE_KEY = saved;
      });

      it('seals every token column in one step; reads, compare-and-set and a second connection still work', async () => {
        await store.insertProfile(oauth(), T0);
        await store.insertProfile(oauth({ id: 'anthropic:work', refresh: 'fake-refresh-b' }), T0);
        expect(await store.tokenKeyId()).toBeNull();
        expect(await store.rekeyTokens(keyId, T0 + 1)).toEqual({ profiles: 2, from: null });
        expect(await store.tokenKeyId()).toBe(keyId);
        const raw = await readRaw(store, 'openai-codex:default');
        expect(raw.access).toMatch(/^ck1\./);
        expect(raw.refresh).toMatch(/^ck1\./);
        expect(JSON.stringify(raw)).not.toContain('fake-');
        expect((await store.getProfile('openai-codex:default'))!.refresh).toBe('fake-refresh-1');

        // The broker presents plaintext; compare-and-set matches the sealed column.
        const rotated = {
          access: 'fake-access-2',
          refresh: 'fake-refresh-2',
          expires: T0 + 7_200_000,
          issuedAt: T0,
        };
        const c = await store.commitRotation('openai-codex:default', 'fake-refresh-1', rotated, T0 + 2);
        expect(c.kind).toBe('committed');
        expect((await readRaw(store, 'openai-codex:default')).refresh).toMatch(/^ck1\./);
        const stale = await store.commitRotation(
          'openai-codex:default',
          'fake-refresh-1',
          { ...rotated, access: 'fake-access-x', refresh: 'fake-refresh-x' },
          T0 + 3,
        );
        expect(stale.kind).toBe('conflict');
        expect(stale.kind === 'conflict' && stale.profile?.refresh).toBe('fake-refresh-2');

        const other = await reopen(store);
        try {
          expect((await other.getProfile('openai-codex:default'))!.access).toBe('fake-access-2');
          await other.insertProfile(oauth({ id: 'openai-codex:new', refresh: 'fake-refresh-n' }), T0 + 4);
          expect((await readRaw(store, 'openai-codex:new')).refresh).toMatch(/^ck1\./);
          const reauth = await other.markNeedsReauth('anthropic:work', 'fake-refresh-b', 'revoked', T0 + 5);
          expect(reauth.kind).toBe('committed');
        } finally {
          await other.close();
        }
      });

      it('back to plaintext in one step; without the key a store is reported as locked, not corrupt', async () => {
        await store.insertProfile(oauth(), T0);
        await store.rekeyTokens(keyId, T0 + 1);
        delete process.env.CLAWKEEP_STORE_KEY;
        const keyless = await reopen(store);
        try {
          await expect(keyless.getProfile('openai-codex:default')).rejects.toMatchObject({
            code: 'store_key_missing',
          });
        } finally {
          await keyless.close();
        }
        process.env.CLAWKEEP_STORE_KEY = key.toString('base64');
        expect(await store.rekeyTokens(null, T0 + 2)).toEqual({ profiles: 1, from: keyId });
        expect(await readRaw(store, 'openai-codex:default')).toEqual({
          access: 'fake-access-1',
          refresh: 'fake-refresh-1',
        });
        expect(await store.tokenKeyId()).toBeNull();
        const kinds = (await store.listEvents()).map((e) => e.kind);
        expect(kinds.filter((k) => k === 'store_key_changed')).toHaveLength(2);
      });
    });
  });
}
