import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres/pg-store.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { adminQuery, createTestDatabase } from '../helpers/postgres.js';

/**
 * Keys made before the serving policy existed: the ones `connect claude-code` named (claude-code,
 * claude-code-2, …) must keep serving Claude Code on its subscription after the upgrade, and no
 * other key may gain it.
 */
const OLD_CLIENTS = ['claude-code', 'claude-code-2', 'claude-codex', 'my-claude-code', 'codex'];
const EXPECTED = [
  ['claude-code', 'claude-code'],
  ['claude-code-2', 'claude-code'],
  ['claude-codex', null],
  ['codex', null],
  ['my-claude-code', null],
];

describe('the serving-policy migration', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('on SQLite: keeps the keys connect claude-code made on Claude Code, opts nothing in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawkeep-policy-mig-'));
    dirs.push(dir);
    const path = join(dir, 'clawkeep.db');
    const db = new Database(path);
    const before = MIGRATIONS.length - 1;
    for (const step of MIGRATIONS.slice(0, before)) db.exec(step);
    db.pragma(`user_version = ${before}`);
    const ins = db.prepare(
      'INSERT INTO clients (name, key_hash, key_prefix, chain, created_at) VALUES (?, ?, ?, NULL, 1)',
    );
    for (const [i, name] of OLD_CLIENTS.entries()) ins.run(name, String(i).repeat(64), 'ck_fake');
    db.close();

    const store = new SqliteStore(path);
    try {
      const clients = await store.listClients();
      expect(clients.map((c) => [c.name, c.kind])).toEqual(EXPECTED);
      expect(clients.every((c) => !c.subscriptionOptIn)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('on PostgreSQL: the same', async () => {
    const url = await createTestDatabase('policy');
    const first = new PostgresStore({ url });
    await first.listClients(); // migrates to the current schema
    await first.close();
    // Back to the schema before the policy, with the old keys in it.
    const dbName = new URL(url).pathname.slice(1);
    await adminQuery(
      `ALTER TABLE clients DROP COLUMN kind; ALTER TABLE clients DROP COLUMN subscription_opt_in;
       DELETE FROM clawkeep_schema WHERE version = (SELECT max(version) FROM clawkeep_schema);` +
        OLD_CLIENTS.map(
          (name, i) =>
            `INSERT INTO clients (name, key_hash, key_prefix, chain, created_at) VALUES ('${name}', '${String(i).repeat(64)}', 'ck_fake', NULL, 1);`,
        ).join(''),
      dbName,
    );
    const store = new PostgresStore({ url });
    try {
      const clients = await store.listClients();
      expect(clients.map((c) => [c.name, c.kind])).toEqual(EXPECTED);
      expect(clients.every((c) => !c.subscriptionOptIn)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
