import { createRequire } from 'node:module';
import type pg from 'pg';

const require = createRequire(import.meta.url);

type ConnectionString = typeof import('pg-connection-string');
type PgPass = (
  connInfo: { host: string; port: string; database: string; user: string },
  cb: (password: string | undefined) => void,
) => void;

let driver: typeof pg | undefined;
let connectionString: ConnectionString | undefined;
let pgpass: PgPass | undefined;

// Loaded on first use (CommonJS packages): SQLite-only processes never pay for the PostgreSQL driver.
export const loadPg = (): typeof pg => (driver ??= require('pg') as typeof pg);
export const loadConnectionString = (): ConnectionString =>
  (connectionString ??= require('pg-connection-string') as ConnectionString);
export const loadPgPass = (): PgPass => (pgpass ??= require('pgpass') as PgPass);
