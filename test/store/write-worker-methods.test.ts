import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leaseExpectation } from '../../src/broker/lease.js';
import { openStore, STORE_FILE } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import {
  WRITE_THREAD,
  type WriteWorkerEvent,
  withWriteWorker,
} from '../../src/store/worker/write-worker-store.js';

const T0 = 1_800_000_000_000;
const ID = 'openai-codex:default';
const oauth = { id: ID, type: 'oauth' as const, access: 'fake-a1', refresh: 'fake-r1', expires: T0 + 1 };
const tokens = (n: number) => ({
  access: `fake-a${n}`,
  refresh: `fake-r${n}`,
  expires: T0 + n,
  issuedAt: T0,
});

/**
 * Every Store method, called the way its callers call it. The table's type names every method of the
 * interface: a new method that is not walked here fails the typecheck.
 */
type Walk = {
  [K in Exclude<keyof Store, 'location' | 'tokenCodec' | 'close'>]-?: (s: Store) => Promise<unknown>;
};
const WALK: Walk = {
  insertProfile: (s) => s.insertProfile(oauth, T0),
  getProfile: (s) => s.getProfile(ID),
  listProfiles: (s) => s.listProfiles(),
  replaceProfile: (s) => s.replaceProfile({ ...oauth, refresh: 'fake-r2' }, T0 + 1),
  setStatus: (s) => s.setStatus(ID, 'ok', T0 + 2),
  readLease: (s) => s.readLease(ID, T0 + 3),
  claimLease: async (s) => {
    const read = await s.readLease(ID, T0 + 3);
    const claim = {
      id: ID,
      owner: 'host/1/a',
      now: T0 + 3,
      ttlMs: 30_000,
      expected: leaseExpectation(read!.profile),
      tookOverFrom: null,
    };
    const out = await s.claimLease(claim);
    expect(out.kind).toBe('claimed');
    return out;
  },
  commitRotation: (s) => s.commitRotation(ID, 'fake-r2', tokens(3), T0 + 4),
  adoptCredential: (s) => s.adoptCredential(ID, 'fake-r3', tokens(4), 'codex-auth-json', T0 + 5),
  markNeedsReauth: (s) => s.markNeedsReauth(ID, 'fake-r4', 'refresh_token_reused', T0 + 6),
  releaseLease: (s) => s.releaseLease(ID, 'host/1/a'),
  addLinkedSource: (s) => s.addLinkedSource({ profileId: ID, kind: 'codex-auth-json', location: '/x' }, T0),
  listLinkedSources: (s) => s.listLinkedSources(ID),
  removeLinkedSource: (s) =>
    s.removeLinkedSource({ profileId: ID, kind: 'codex-auth-json', location: '/x' }, T0),
  insertClient: (s) =>
    s.insertClient({
      name: 'agent',
      keyHash: 'h'.repeat(64),
      keyPrefix: 'ck_x',
      chain: null,
      kind: 'claude-code',
      subscriptionOptIn: false,
      createdAt: T0,
    }),
  listClients: (s) => s.listClients(),
  findClientByHash: (s) => s.findClientByHash('h'.repeat(64)),
  removeClient: (s) => s.removeClient('agent', T0),
  updateClient: (s) => s.updateClient('agent', { kind: 'claude-code', subscriptionOptIn: true }, T0),
  appendEvent: (s) => s.appendEvent({ profileId: ID, kind: 'fallback', data: { n: 1 } }, T0),
  appendEvents: (s) => s.appendEvents([{ profileId: null, kind: 'fallback', data: { n: 2 }, at: T0 }]),
  listEvents: (s) => s.listEvents({ profileId: ID }),
  watchChanges: async (s) => s.watchChanges?.(() => {})(),
  tokenKeyId: (s) => s.tokenKeyId(),
  rekeyTokens: (s) => s.rekeyTokens(null, T0),
  saveQuota: (s) => s.saveQuota(ID, '{"w":1}', T0),
  listQuotas: (s) => s.listQuotas(),
  addUsage: (s) =>
    s.addUsage([{ minute: T0, client: 'agent', model: 'm', requests: 1, tokensIn: 2, tokensOut: 3 }]),
  listUsage: (s) => s.listUsage(0),
  removeProfile: (s) => s.removeProfile(ID, T0 + 7),
};

/** Strips what differs between two homes (times the store stamps itself, sequence numbers, hashes). */
function comparable(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null, (k, x) => (k === 'statusAt' || k === 'updatedAt' ? 0 : x)));
}

describe('the write-worker store: every Store method through the proxy', () => {
  const homes: string[] = [];
  const home = () => {
    const h = mkdtempSync(join(tmpdir(), 'clawkeep-walk-'));
    homes.push(h);
    return h;
  };
  afterEach(() => {
    for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
  });

  it('answers each method as the plain SQLite store does', async () => {
    const directHome = home();
    const workerHome = home();
    const direct = openStore({ home: directHome }).store;
    const proxied = withWriteWorker(openStore({ home: workerHome }).store, join(workerHome, STORE_FILE));
    try {
      for (const [method, call] of Object.entries(WALK) as [keyof Walk, (s: Store) => Promise<unknown>][]) {
        const want = await call(direct).catch((e: Error & { code?: string }) => ({
          threw: e.code ?? e.name,
        }));
        const got = await call(proxied).catch((e: Error & { code?: string }) => ({
          threw: e.code ?? e.name,
        }));
        expect({ method, result: comparable(got) }).toEqual({ method, result: comparable(want) });
      }
    } finally {
      await direct.close();
      await proxied.close();
    }
  });
});

describe('the write-worker store: a thread that dies', () => {
  let h: string;
  let store: Store;
  const seen: WriteWorkerEvent[] = [];
  const onStore = (m: unknown) => seen.push(m as WriteWorkerEvent);
  beforeEach(() => {
    h = mkdtempSync(join(tmpdir(), 'clawkeep-died-'));
    store = withWriteWorker(openStore({ home: h }).store, join(h, STORE_FILE));
    subscribe('clawkeep:store', onStore);
  });
  afterEach(async () => {
    unsubscribe('clawkeep:store', onStore);
    seen.length = 0;
    await store.close();
    rmSync(h, { recursive: true, force: true });
  });

  it('fails the writes it held with store_worker_died, says so, and the next write starts a new thread', async () => {
    await store.insertProfile(oauth, T0);
    const thread = (store as unknown as Record<symbol, { worker: { terminate(): Promise<number> } }>)[
      WRITE_THREAD
    ]!;
    const inFlight = store.appendEvent({ profileId: ID, kind: 'fallback', data: {} }, T0);
    await thread.worker.terminate();
    await expect(inFlight).rejects.toMatchObject({ code: 'store_worker_died', retryable: true });
    expect(seen).toEqual([{ kind: 'write_worker_died', exitCode: 1, cause: 'exit code 1', failedWrites: 1 }]);
    const out = await store.commitRotation(ID, 'fake-r1', tokens(2), T0 + 1);
    expect(out).toMatchObject({ kind: 'committed', profile: { generation: 2, refresh: 'fake-r2' } });
  });

  it('a retried commit whose first attempt committed before the thread died is recognised as committed', async () => {
    await store.insertProfile(oauth, T0);
    const first = await store.commitRotation(ID, 'fake-r1', tokens(2), T0 + 1);
    const again = await store.commitRotation(ID, 'fake-r1', tokens(2), T0 + 1);
    expect(again).toEqual(first);
    const other = await store.commitRotation(ID, 'fake-r1', tokens(9), T0 + 2);
    expect(other.kind).toBe('conflict');
  });

  it('refuses an argument that cannot be cloned without quoting it', async () => {
    const secretFn = () => 'source text that must not leak';
    const err = await store
      .appendEvent({ profileId: ID, kind: 'fallback', data: { secretFn } }, T0)
      .catch((e) => e);
    expect(String(err.message)).toMatch(
      /store\.appendEvent: an argument cannot cross to the write thread \(DataCloneError\)/,
    );
    expect(String(err.message)).not.toContain('source text');
  });
});
