import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryClaimLease } from '../../src/broker/lease.js';
import { openStore } from '../../src/store/open-store.js';
import { PG_SCHEMA_VERSION } from '../../src/store/postgres/migrations.js';
import { dbName } from '../helpers/pg-fixtures.js';
import { adminQuery, createTestDatabase, testPostgres } from '../helpers/postgres.js';
import { runCli } from '../helpers/processes.js';

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const T0 = Date.now();

/** A home with every kind of row: OAuth and API-key profiles, a rotation, needs_reauth, a link, a client. */
async function populate(home: string): Promise<void> {
  const { store } = openStore({ home, location: join(home, 'clawkeep.sqlite') });
  try {
    await store.insertProfile(
      {
        id: 'openai-codex:work',
        type: 'oauth',
        access: 'fake-access-1',
        refresh: 'fake-refresh-1',
        expires: T0 + 3_600_000,
        issuedAt: T0,
        accountId: 'acct-1',
        email: 'w@example.test',
      },
      T0,
    );
    await tryClaimLease(store, {
      id: 'openai-codex:work',
      owner: 'h/1/a',
      now: T0,
      ttlMs: 30_000,
      isFresh: () => false,
      isOwnerDead: () => false,
    });
    await store.commitRotation(
      'openai-codex:work',
      'fake-refresh-1',
      { access: 'fake-access-2', refresh: 'fake-refresh-2', expires: T0 + 7_200_000, issuedAt: T0 + 1 },
      T0 + 1,
    );
    await store.insertProfile({ id: 'openai:key', type: 'api_key', access: 'fake-key-1' }, T0);
    await store.insertProfile(
      {
        id: 'anthropic:dead',
        type: 'oauth',
        access: 'fake-access-d',
        refresh: 'fake-refresh-d',
        expires: T0,
      },
      T0,
    );
    await store.markNeedsReauth('anthropic:dead', 'fake-refresh-d', 'refresh_token_reused', T0 + 2);
    await store.addLinkedSource(
      { profileId: 'openai-codex:work', kind: 'codex-auth-json', location: '/tmp/fake-codex/auth.json' },
      T0,
    );
    await store.insertClient({
      name: 'agent-1',
      keyHash: 'f'.repeat(64),
      keyPrefix: 'ck_fake',
      kind: 'opencode',
      subscriptionOptIn: true,
      chain: null,
      createdAt: T0,
    });
    await store.appendEvent({ profileId: null, kind: 'fallback', data: { from: 'a', to: 'b' } }, T0 + 3);
    await store.saveQuota('openai-codex:work', '{"fake":"quota"}', T0 + 4);
    await store.addUsage([
      {
        minute: T0 - (T0 % 60_000),
        client: 'agent-1',
        model: 'gpt-5',
        requests: 3,
        tokensIn: 30,
        tokensOut: 9,
      },
    ]);
  } finally {
    await store.close();
  }
}

describe('clawkeep store migrate / status', () => {
  let dir: string;
  let password: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawkeep-storemig-'));
    password = (await testPostgres()).password;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies a SQLite home into PostgreSQL verified, leaves the file untouched, refuses a non-empty target, and copies back', async () => {
    const home = join(dir, 'home');
    await populate(home);
    const file = join(home, 'clawkeep.sqlite');
    const before = sha(file);
    const listLite = JSON.parse((await runCli(home, ['profiles', 'list', '--json'])).stdout);
    const url = await createTestDatabase('mig');

    const mig = await runCli(home, ['store', 'migrate', '--to', url]);
    expect(mig.stderr).toBe('');
    expect(mig.code).toBe(0);
    expect(mig.stdout).toContain('3 profile(s)');
    expect(mig.stdout).toContain('1 linked source(s), 1 client(s), 1 quota reading(s), 1 usage row(s)');
    expect(mig.stdout).toContain('token fingerprints verified');
    expect(mig.stdout + mig.stderr).not.toContain(password);
    expect(sha(file)).toBe(before);

    const env = { CLAWKEEP_STORE: url };
    const listPg = JSON.parse((await runCli(home, ['profiles', 'list', '--json'], { env })).stdout);
    const stable = (l: Array<Record<string, unknown>>) => l.map(({ expiresInSeconds: _, ...p }) => p);
    expect(stable(listPg)).toEqual(stable(listLite));
    const work = listPg.find((p: { id: string }) => p.id === 'openai-codex:work');
    expect(work).toMatchObject({ generation: 2 });
    expect((await runCli(home, ['token', 'openai:key'], { env })).stdout.trim()).toBe('fake-key-1');
    const events = await adminQuery('SELECT count(*)::int AS n FROM events', dbName(url));
    const liteEvents = (await runCli(home, ['events', '--json', '--limit', '1000'])).stdout
      .trim()
      .split('\n');
    expect(events.rows[0].n).toBe(liteEvents.length);
    // New events continue the copied sequence.
    await runCli(home, ['profiles', 'disable', 'openai:key'], { env });
    const seqs = await adminQuery('SELECT seq FROM events ORDER BY seq', dbName(url));
    expect(seqs.rows.at(-1).seq).toBe(String(liteEvents.length + 1));

    const again = await runCli(home, ['store', 'migrate', '--to', url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not empty');
    expect(sha(file)).toBe(before);

    const back = join(dir, 'back.sqlite');
    const rev = await runCli(home, ['store', 'migrate', '--from', url, '--to', back]);
    expect(rev.stderr).toBe('');
    expect(rev.code).toBe(0);
    const listBack = JSON.parse((await runCli(home, ['--store', back, 'profiles', 'list', '--json'])).stdout);
    expect(
      listBack.map((p: { id: string; generation: number; accessFp: string; refreshFp: string }) => [
        p.id,
        p.generation,
        p.accessFp,
        p.refreshFp,
      ]),
    ).toEqual(
      listPg.map((p: { id: string; generation: number; accessFp: string; refreshFp: string }) => [
        p.id,
        p.generation,
        p.accessFp,
        p.refreshFp,
      ]),
    );
  });

  it('an encrypted home moves to PostgreSQL sealed: the copy opens with the same key, and only with it', async () => {
    const home = join(dir, 'sealed');
    await populate(home);
    const key = randomBytes(32).toString('base64');
    const enc = await runCli(home, ['store', 'encrypt', '--key-store', 'env'], {
      env: { CLAWKEEP_STORE_KEY: key },
    });
    expect(enc.code, enc.stderr).toBe(0);
    const url = await createTestDatabase('sealed');
    const mig = await runCli(home, ['store', 'migrate', '--to', url], { env: { CLAWKEEP_STORE_KEY: key } });
    expect(mig.code, mig.stderr).toBe(0);
    expect(mig.stdout).toContain('tokens stay sealed with key');
    const raw = await adminQuery("SELECT refresh FROM profiles WHERE id = 'openai-codex:work'", dbName(url));
    expect(raw.rows[0].refresh).toMatch(/^ck1\./);
    const env = { CLAWKEEP_STORE: url, CLAWKEEP_STORE_KEY: key };
    expect((await runCli(home, ['token', 'openai:key'], { env })).stdout.trim()).toBe('fake-key-1');
    const keyless = await runCli(home, ['token', 'openai:key'], { env: { CLAWKEEP_STORE: url } });
    expect(keyless.code).not.toBe(0);
    expect(keyless.stderr).toContain('no key source here holds it');
    const status = JSON.parse(
      (await runCli(home, ['store', 'status', '--json'], { env: { CLAWKEEP_STORE: url } })).stdout,
    );
    expect(status.encryption).toMatchObject({ keyAvailable: false });
  });

  it('store status shows backend, schema, connection and lease health, and names a dead server', async () => {
    const home = join(dir, 'status');
    await populate(home);
    const url = await createTestDatabase('st');
    expect((await runCli(home, ['store', 'migrate', '--to', url])).code).toBe(0);
    const s = await runCli(home, ['store', 'status', '--json'], { env: { CLAWKEEP_STORE: url } });
    expect(s.code).toBe(0);
    const status = JSON.parse(s.stdout);
    expect(status).toMatchObject({
      backend: 'postgres',
      source: 'CLAWKEEP_STORE',
      connection: { ok: true, notify: true },
      schema: { version: PG_SCHEMA_VERSION, supported: PG_SCHEMA_VERSION },
      profiles: 3,
      leases: { held: 0, expired: 0 },
    });
    expect(status.location).not.toContain(password);
    const human = await runCli(home, ['store', 'status'], { env: { CLAWKEEP_STORE: url } });
    expect(human.stdout).toMatch(/backend +postgres/);
    expect(human.stdout).toContain('LISTEN/NOTIFY ok');

    const lite = JSON.parse((await runCli(home, ['store', 'status', '--json'])).stdout);
    expect(lite).toMatchObject({
      backend: 'sqlite',
      source: 'default',
      schema: { version: expect.any(Number) },
      profiles: 3,
    });

    const dead = await runCli(home, ['store', 'status'], {
      env: { CLAWKEEP_STORE: 'postgres://u:s3cret-d@127.0.0.1:1/x' },
    });
    expect(dead.code).toBe(1);
    expect(dead.stdout).toContain('store_unreachable');
    expect(dead.stdout).not.toContain('s3cret-d');
  });
});
