import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isClawkeepError } from '../../src/errors.js';
import { PG_SCHEMA_VERSION } from '../../src/store/postgres/migrations.js';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { adminQuery, createTestDatabase, type TestPostgres, testPostgres } from '../helpers/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'clawkeep-pgconn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens a store, runs its first call, closes; returns the error it raised (or null). */
async function firstCallError(url: string, extra: { passwordFile?: string } = {}): Promise<unknown> {
  const store = new PostgresStore({ url, ...extra });
  try {
    await store.listProfiles();
    return null;
  } catch (err) {
    return err;
  } finally {
    await store.close();
  }
}

function expectNoSecret(err: unknown, secret: string): void {
  const text = `${(err as Error).message} ${JSON.stringify(err)} ${JSON.stringify((err as { details?: unknown }).details)}`;
  expect(text).not.toContain(secret);
}

const dbName = (url: string): string => new URL(url).pathname.slice(1);

describe('PostgreSQL store: connecting, migrating, refusing', () => {
  let pg: TestPostgres;

  it('names an unreachable server with a fix and without the password', async () => {
    pg = await testPostgres();
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const err = await firstCallError(`postgres://ck:s3cret-unreach@127.0.0.1:${port}/clawkeep`);
    expect(err).toMatchObject({ code: 'store_unreachable', retryable: true });
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).toContain('Fix:');
    expectNoSecret(err, 's3cret-unreach');
  });

  it('names wrong credentials without echoing the password', async () => {
    const err = await firstCallError(`postgres://${pg.user}:s3cret-wrong@127.0.0.1:${pg.port}/postgres`);
    expect(err).toMatchObject({ code: 'store_auth_failed' });
    expect((err as Error).message).toContain('password');
    expectNoSecret(err, 's3cret-wrong');
  });

  it('names a missing database and how to create it', async () => {
    const err = await firstCallError(`postgres://${pg.user}:${pg.password}@127.0.0.1:${pg.port}/ck_absent`);
    expect(err).toMatchObject({ code: 'store_database_missing' });
    expect((err as Error).message).toMatch(/ck_absent.*createdb/s);
    expectNoSecret(err, pg.password);
  });

  it('refuses a read-only server (a hot standby) before writing anything', async () => {
    const url = await createTestDatabase();
    await adminQuery(`ALTER DATABASE ${dbName(url)} SET default_transaction_read_only = on`);
    const err = await firstCallError(url);
    expect(err).toMatchObject({ code: 'store_read_only' });
    const tables = await adminQuery(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'",
      dbName(url),
    );
    expect(tables.rows[0].n).toBe(0);
  });

  it('four stores opening a fresh database at once migrate it exactly once', async () => {
    const url = await createTestDatabase();
    const stores = Array.from({ length: 4 }, () => new PostgresStore({ url }));
    try {
      await Promise.all(stores.map((s) => s.ready()));
      const r = await adminQuery('SELECT version FROM clawkeep_schema ORDER BY version', dbName(url));
      expect(r.rows.map((x) => x.version)).toEqual(
        Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1),
      );
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('refuses a schema newer than it understands and changes nothing', async () => {
    const url = await createTestDatabase();
    const first = new PostgresStore({ url });
    await first.insertProfile({ id: 'openai:default', type: 'api_key', access: 'fake-key' }, 1);
    await first.close();
    await adminQuery(`INSERT INTO clawkeep_schema (version) VALUES (${PG_SCHEMA_VERSION + 1})`, dbName(url));
    const err = await firstCallError(url);
    expect(err).toMatchObject({ code: 'store_schema_newer' });
    expect((err as Error).message).toContain('upgrade clawkeep');
    const rows = await adminQuery('SELECT id FROM profiles', dbName(url));
    expect(rows.rows).toEqual([{ id: 'openai:default' }]);
  });

  it('reads the password from a passwordFile, and from PGPASSFILE', async () => {
    const url = await createTestDatabase();
    const bare = `postgres://${pg.user}@127.0.0.1:${pg.port}/${dbName(url)}`;
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, `${pg.password}\n`, { mode: 0o600 });
    expect(await firstCallError(bare, { passwordFile: pwFile })).toBeNull();

    const missing = await firstCallError(bare, { passwordFile: join(dir, 'absent') });
    expect(missing).toMatchObject({ code: 'store_auth_failed' });
    expect((missing as Error).message).toContain(join(dir, 'absent'));

    const pgpass = join(dir, 'pgpass');
    writeFileSync(pgpass, `127.0.0.1:${pg.port}:*:${pg.user}:${pg.password}\n`, { mode: 0o600 });
    const saved = process.env.PGPASSFILE;
    process.env.PGPASSFILE = pgpass;
    try {
      expect(await firstCallError(bare)).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.PGPASSFILE;
      else process.env.PGPASSFILE = saved;
    }
    // No password anywhere: a clear authentication error.
    const none = await firstCallError(bare);
    expect(isClawkeepError(none, 'store_auth_failed')).toBe(true);
  });

  it('never shows the password in its location', async () => {
    const url = await createTestDatabase();
    const store = new PostgresStore({ url });
    expect(store.location).not.toContain(pg.password);
    expect(store.location).toContain('***');
    await store.close();
  });
});
