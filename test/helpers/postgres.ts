import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pgBinaries, runPg } from '../setup/postgres-bin.js';
import { freePort } from './net.js';

/**
 * A real, throwaway PostgreSQL for the tests: initdb + pg_ctl (test/setup/postgres-bin.ts finds them), on
 * loopback, on a free port, in a temp dir, started once per test run (the first test that asks
 * starts it; the vitest globalSetup in postgres-global.ts stops it and removes the dir at the end).
 * As root it runs as an unprivileged user (initdb refuses root).
 */
export interface TestPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Superuser URL to the `postgres` database. */
  adminUrl: string;
  dataDir: string;
  binDir: string;
  runDir: string;
  /** The server options pg_ctl starts it with (port, socket dir, loopback). */
  serverOptions: string;
}

/** Set by the globalSetup; workers share one server through it. */
export const RUN_DIR_ENV = 'CLAWKEEP_TEST_PG_RUN_DIR';
const ADMIN = 'clawkeep_test';

let shared: Promise<TestPostgres> | null = null;

/** The run's PostgreSQL, started on first use. */
export function testPostgres(): Promise<TestPostgres> {
  shared ??= obtain();
  return shared;
}

async function obtain(): Promise<TestPostgres> {
  let runDir = process.env[RUN_DIR_ENV];
  if (!runDir) {
    // Outside vitest (bench scripts): our own server, stopped when this process exits.
    runDir = mkdtempSync(join(tmpdir(), 'clawkeep-pg-'));
    const dir = runDir;
    process.once('exit', () => stopServer(dir));
  }
  const info = join(runDir, 'server.json');
  const lock = join(runDir, 'starting');
  const deadline = Date.now() + 120_000;
  while (!existsSync(info)) {
    try {
      mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for the test PostgreSQL in ${runDir}`);
      await sleep(100);
      continue;
    }
    try {
      const server = await startServer(runDir);
      writeFileSync(`${info}.tmp`, JSON.stringify(server));
      execFileSync('mv', [`${info}.tmp`, info]);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return JSON.parse(readFileSync(info, 'utf8')) as TestPostgres;
}

/** Runs a PostgreSQL binary, as the server user when we are root. */
function pgRun(bin: string, args: string[]): string {
  const r = runPg(pgBinaries(), bin, args);
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${r.stderr || r.stdout || r.error}`);
  return r.stdout;
}

/** Hands a directory to the server user (as root). */
function own(path: string): void {
  const { runAs } = pgBinaries();
  if (!runAs) return;
  const uid = Number(execFileSync('id', ['-u', runAs], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', runAs], { encoding: 'utf8' }).trim());
  chownSync(path, uid, gid);
}

async function startServer(runDir: string): Promise<TestPostgres> {
  const { binDir } = pgBinaries();
  // The server user must be able to reach its data dir inside our temp dir.
  chmodSync(runDir, 0o755);
  const dataDir = join(runDir, 'data');
  const sockDir = join(runDir, 'sock');
  for (const d of [dataDir, sockDir]) {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    own(d);
  }
  const password = `test-${randomBytes(9).toString('hex')}`;
  const pwFile = join(runDir, 'pwfile');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  own(pwFile);
  pgRun(join(binDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    ADMIN,
    `--pwfile=${pwFile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  rmSync(pwFile);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const serverOptions = `-p ${port} -k ${sockDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300`;
    try {
      pgCtlStart(binDir, dataDir, serverOptions);
      return {
        serverOptions,
        host: '127.0.0.1',
        port,
        user: ADMIN,
        password,
        adminUrl: `postgres://${ADMIN}:${password}@127.0.0.1:${port}/postgres`,
        dataDir,
        binDir,
        runDir,
      };
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
}

function pgCtlStart(binDir: string, dataDir: string, serverOptions: string): void {
  pgRun(join(binDir, 'pg_ctl'), [
    '-D',
    dataDir,
    '-l',
    join(dataDir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    serverOptions,
    'start',
  ]);
}

/** A server of its own, for tests that stop and start it (the shared one serves other test files). */
export interface DedicatedPostgres {
  server: TestPostgres;
  /** A fresh database on it. */
  createDatabase(prefix?: string): Promise<string>;
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /** Restarts it without blocking this process (an emulator in it keeps answering meanwhile). */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops it and removes its directory. */
  close(): void;
}

export async function startDedicatedPostgres(): Promise<DedicatedPostgres> {
  const runDir = mkdtempSync(join(tmpdir(), 'clawkeep-pg-own-'));
  const server = await startServer(runDir);
  writeFileSync(join(runDir, 'server.json'), JSON.stringify(server));
  const ctl = join(server.binDir, 'pg_ctl');
  return {
    server,
    async createDatabase(prefix = 'own') {
      const name = `${prefix}_${randomBytes(6).toString('hex')}`;
      const c = new pg.Client({
        host: server.host,
        port: server.port,
        user: server.user,
        password: server.password,
        database: 'postgres',
      });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`).finally(() => c.end());
      return `postgres://${server.user}:${server.password}@${server.host}:${server.port}/${name}`;
    },
    stop: (mode = 'fast') => void pgRun(ctl, ['-D', server.dataDir, '-m', mode, '-w', 'stop']),
    start: () => pgCtlStart(server.binDir, server.dataDir, server.serverOptions),
    restart: (mode = 'fast') => {
      // -l: the new postmaster must not inherit our pipes (execFile would wait on them forever).
      const args = [
        '-D',
        server.dataDir,
        '-l',
        join(server.dataDir, 'server.log'),
        '-m',
        mode,
        '-w',
        '-t',
        '60',
        '-o',
        server.serverOptions,
        'restart',
      ];
      const { runAs } = pgBinaries();
      const [cmd, argv] = runAs ? ['runuser', ['-u', runAs, '--', ctl, ...args]] : [ctl, args];
      return new Promise((resolve, reject) => {
        execFile(cmd, argv, (err, _out, stderr) =>
          err ? reject(new Error(`pg_ctl restart: ${stderr}`)) : resolve(),
        );
      });
    },
    close: () => stopServer(runDir),
  };
}

/** Stops the run's server (if one was started) and removes its directory. */
export function stopServer(runDir: string): void {
  const info = join(runDir, 'server.json');
  if (existsSync(info)) {
    const s = JSON.parse(readFileSync(info, 'utf8')) as TestPostgres;
    try {
      pgRun(join(s.binDir, 'pg_ctl'), ['-D', s.dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Already stopped.
    }
  }
  rmSync(runDir, { recursive: true, force: true });
}

/** Runs SQL as the superuser on a database of the run's server. */
export async function adminQuery(sql: string, database = 'postgres'): Promise<pg.QueryResult> {
  const s = await testPostgres();
  const c = new pg.Client({ host: s.host, port: s.port, user: s.user, password: s.password, database });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh, empty database on the run's server; returns its URL (superuser with password). */
export async function createTestDatabase(prefix = 'ck'): Promise<string> {
  const s = await testPostgres();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return `postgres://${s.user}:${s.password}@${s.host}:${s.port}/${name}`;
}
