import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { readEnvVar } from '../../config/env.js';
import { ClawkeepError } from '../../errors.js';
import { decryptStore, encryptStore, rotateStoreKey } from '../../store/crypto/encryption.js';
import type { KeyStoreKind } from '../../store/crypto/key-store.js';
import { resolveHome } from '../../store/home.js';
import { parseLocation, resolveStoreLocation, STORE_FILE, type StoreLocation } from '../../store/location.js';
import { migrateStore } from '../../store/migrate-store.js';
import { readStoreStatus, type StoreStatus } from '../../store/status.js';
import { invokedAs } from '../../util/invoked-as.js';
import { confirmOrYes } from '../confirm.js';
import type { GlobalOptions } from '../context.js';
import { withStore } from '../context.js';
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
      const s = await readStoreStatus(resolveStoreLocation(home, g().store), { home });
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
      if (s.connection.ok) io.out(`encryption  ${describeEncryption(s.encryption)}`);
      if (s.encryption && !s.encryption.keyAvailable) setExit(1);
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
      const passwordFile = readEnvVar('CLAWKEEP_STORE_PASSWORD_FILE') ?? null;
      const from = o.from ? parseLocation(o.from, '--from', process.cwd(), passwordFile) : homeFile;
      const to = o.to ? parseLocation(o.to, '--to', process.cwd(), passwordFile) : homeFile;
      const r = await migrateStore(from, to);
      if (o.json) return printJson(io, r);
      const c = r.digest.counts;
      io.out(`✓ copied ${r.from} → ${r.to}`);
      io.out(
        `  ${c.profiles} profile(s), ${c.events} event(s), ${c.linkedSources} linked source(s), ${c.clients} client(s), ${c.quotas} quota reading(s), ${c.usage} usage row(s); counts and token fingerprints verified`,
      );
      io.out(`  the source was not changed`);
      if (r.digest.tokenKey)
        io.out(
          `  tokens stay sealed with key ${r.digest.tokenKey}: every host that opens the copy needs that key`,
        );
      if (to.kind === 'postgres')
        io.out(
          '  next: on every host set CLAWKEEP_STORE to that URL (or "store:" in config.yaml); password via passwordFile or PGPASSFILE',
        );
    });

  const keyStoreOption = (c: Command, what: string) =>
    c.addOption(
      new Option('--key-store <where>', `where ${what} is kept`)
        .choices(['auto', 'file', 'keyring', 'env'])
        .default('auto'),
    );

  keyStoreOption(
    store
      .command('encrypt')
      .description(
        'encrypt every token at rest (AES-256-GCM) in one transaction; auto keeps the key in the OS keyring on macOS/Windows, else <home>/keys/<id>.key (0600); env reads CLAWKEEP_STORE_KEY',
      )
      .option('--json', 'machine-readable output'),
    'the new key',
  ).action(async (o: { keyStore: KeyStoreKind | 'auto'; json?: boolean }) =>
    withStore(io, g(), async (st, home) => {
      const r = await encryptStore(st, { home }, { keyStore: o.keyStore });
      if (o.json) return printJson(io, r);
      io.out(`✓ encrypted the tokens of ${r.profiles} profile(s) with key ${r.keyId}`);
      io.out(`  key kept in ${r.keptIn}`);
      if (r.backups.length > 0) io.out(`  ${r.backups.length} profile backup(s) sealed too`);
      if (r.pending.length > 0) io.out(`  ${r.pending.length} pending rotation(s) sealed too`);
      io.out(
        '  every host and process that opens this store needs that key; without it the tokens cannot be read',
      );
    }),
  );

  store
    .command('decrypt')
    .description('store every token as plaintext again, in one transaction (the key is kept)')
    .option('--yes', 'do not ask for confirmation')
    .option('--json', 'machine-readable output')
    .action(async (o: { yes?: boolean; json?: boolean }) => {
      const ok = await confirmOrYes(io, {
        yes: o.yes,
        question: 'Store every token as plaintext again?',
        what: 'store decrypt',
      });
      if (!ok) return io.out('nothing changed');
      await withStore(io, g(), async (st, home) => {
        const r = await decryptStore(st, { home });
        if (o.json) return printJson(io, r);
        io.out(`✓ the tokens of ${r.profiles} profile(s) are plaintext again (were key ${r.previousKeyId})`);
        if (r.backups.length > 0) io.out(`  ${r.backups.length} profile backup(s) opened too`);
        if (r.pending.length > 0) io.out(`  ${r.pending.length} pending rotation(s) opened too`);
      });
    });

  keyStoreOption(
    store
      .command('rotate-key')
      .description(
        'seal every token with a new key in one transaction, re-seal backups and pending rotations, then forget the old key; env takes the new key from CLAWKEEP_STORE_NEW_KEY',
      )
      .option('--json', 'machine-readable output'),
    'the new key (auto: where the current one is)',
  ).action(async (o: { keyStore: KeyStoreKind | 'auto'; json?: boolean }) =>
    withStore(io, g(), async (st, home) => {
      const r = await rotateStoreKey(st, { home }, o.keyStore === 'auto' ? {} : { keyStore: o.keyStore });
      if (o.json) return printJson(io, r);
      io.out(`✓ re-sealed ${r.profiles} profile(s): key ${r.previousKeyId} → ${r.keyId}`);
      io.out(`  new key kept in ${r.keptIn}`);
      if (r.backups.length > 0) io.out(`  ${r.backups.length} profile backup(s) re-sealed`);
      if (r.pending.length > 0) io.out(`  ${r.pending.length} pending rotation(s) re-sealed`);
      if (r.forgot) io.out(`  forgot the old key ${r.forgot}`);
      if (r.keptOld)
        io.out(
          `  kept the old key ${r.keptOld}: a rotation was in flight or a pending rotation still needs it; settle it with \`${invokedAs()} doctor --fix\`, then the old key may go`,
        );
      if (r.keptIn === 'CLAWKEEP_STORE_KEY')
        io.out(
          '  next: set CLAWKEEP_STORE_KEY to the value of CLAWKEEP_STORE_NEW_KEY everywhere this store is opened',
        );
    }),
  );
}

function describeEncryption(e: StoreStatus['encryption']): string {
  if (!e) return 'off (tokens stored as plaintext; turn on with: store encrypt)';
  return e.keyAvailable
    ? `on (AES-256-GCM, key ${e.keyId}, found here)`
    : `✗ on (key ${e.keyId}), but no key source here holds it: set CLAWKEEP_STORE_KEY or restore the key file`;
}
