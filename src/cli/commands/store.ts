import { join } from 'node:path';
import type { Command } from 'commander';
import { ClawkeepError } from '../../errors.js';
import { resolveHome } from '../../store/home.js';
import { parseLocation, resolveStoreLocation, STORE_FILE, type StoreLocation } from '../../store/location.js';
import { migrateStore } from '../../store/migrate-store.js';
import { readStoreStatus } from '../../store/status.js';
import type { GlobalOptions } from '../context.js';
import { type Io, printJson } from '../output.js';

export function registerStore(program: Command, io: Io, setExit: (code: number) => void): void {
  const g = (): GlobalOptions => program.opts<GlobalOptions>();
  const store = program
    .command('store')
    .description('where credentials live: SQLite (one host) or PostgreSQL (a fleet)');

  store
    .command('status')
    .description('backend, location, connection, schema version and lease health (exit 1 if unusable)')
    .option('--json', 'machine-readable output')
    .action(async (o: { json?: boolean }) => {
      const home = resolveHome(g().home);
      const s = await readStoreStatus(resolveStoreLocation(home, g().store));
      const schemaOk = s.schema !== null && s.schema.version <= s.schema.supported;
      if (!s.connection.ok || !schemaOk) setExit(1);
      if (o.json) return printJson(io, s);
      io.out(`backend     ${s.backend} (${s.source})`);
      io.out(`location    ${s.location}`);
      if (!s.connection.ok) return io.out(`connection  ✗ ${s.connection.message} [${s.connection.code}]`);
      const notify =
        s.connection.notify === null
          ? ''
          : s.connection.notify
            ? ', LISTEN/NOTIFY ok'
            : ', LISTEN/NOTIFY not delivered';
      io.out(`connection  ✓ ${s.connection.server}, ${s.connection.latencyMs} ms${notify}`);
      if (s.schema) {
        const note =
          s.schema.version > s.schema.supported
            ? ' ✗ newer than this clawkeep: upgrade clawkeep'
            : s.schema.version < s.schema.supported
              ? ' (migrated on first use)'
              : '';
        io.out(`schema      ${s.schema.version} (this clawkeep: ${s.schema.supported})${note}`);
      }
      if (s.profiles !== null) io.out(`profiles    ${s.profiles}`);
      if (s.leases) {
        const l = s.leases;
        const longest =
          l.longestRemainingMs === null ? '' : `, longest ${Math.ceil(l.longestRemainingMs / 1000)} s left`;
        const stale = l.expired ? ` (expired: a holder died; the next caller takes over)` : '';
        io.out(`leases      ${l.held} held${longest}, ${l.expired} expired${stale}`);
      }
    });

  store
    .command('migrate')
    .description(
      'copy a whole store between SQLite and PostgreSQL in one verified transaction; the source is left untouched',
    )
    .option('--to <location>', 'target: postgres://… (from the home’s SQLite file) or a SQLite file')
    .option('--from <location>', 'source: postgres://… (to the home’s SQLite file) or a SQLite file')
    .option('--json', 'machine-readable output')
    .action(async (o: { to?: string; from?: string; json?: boolean }) => {
      const home = resolveHome(g().home);
      if (!o.to && !o.from) {
        throw new ClawkeepError(
          'usage',
          'store migrate needs --to postgres://… (copy this home’s SQLite store there) or --from postgres://… (copy it back)',
        );
      }
      const homeFile: StoreLocation = { kind: 'sqlite', path: join(home, STORE_FILE), source: 'this home' };
      const passwordFile = process.env.CLAWKEEP_STORE_PASSWORD_FILE || null;
      const from = o.from ? parseLocation(o.from, '--from', process.cwd(), passwordFile) : homeFile;
      const to = o.to ? parseLocation(o.to, '--to', process.cwd(), passwordFile) : homeFile;
      const r = await migrateStore(from, to);
      if (o.json) return printJson(io, r);
      const c = r.digest.counts;
      io.out(`✓ copied ${r.from} → ${r.to}`);
      io.out(
        `  ${c.profiles} profile(s), ${c.events} event(s), ${c.linkedSources} linked source(s), ${c.clients} client(s); counts and token fingerprints verified`,
      );
      io.out(`  the source was not changed`);
      if (to.kind === 'postgres')
        io.out(
          '  next: on every host set CLAWKEEP_STORE to that URL (or "store:" in config.yaml); password via passwordFile or PGPASSFILE',
        );
    });
}
