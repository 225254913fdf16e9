import type { StoreLocation } from '../../store/location.js';
import { readStoreStatus } from '../../store/status.js';
import type { DoctorContext, Finding } from '../types.js';

/**
 * The doctor's view of a PostgreSQL store (`CLAWKEEP_STORE`, `--store`, `store:` in config): reachable,
 * schema, leases left by dead holders. Read-only: nothing here needs a fix the next broker does not make.
 */
export async function postgresStoreFindings(
  ctx: DoctorContext,
  location: StoreLocation & { kind: 'postgres' },
  check: string,
): Promise<Finding[]> {
  const s = await readStoreStatus(location, { home: ctx.clawkeepHome });
  const base = { check, path: s.location };
  if (!s.connection.ok) {
    return [
      {
        ...base,
        severity: 'error',
        code: s.connection.code,
        message: `the PostgreSQL store ${s.location} (from ${s.source}) cannot be used: ${s.connection.message}`,
        next: `${ctx.command} store status`,
      },
    ];
  }
  const out: Finding[] = [];
  if (s.schema && s.schema.version > s.schema.supported) {
    out.push({
      ...base,
      severity: 'error',
      code: 'store_schema_newer',
      message: `${s.location} has schema version ${s.schema.version}, newer than this clawkeep (${s.schema.supported})`,
      next: 'npm install -g clawkeep@latest',
    });
  } else if (s.schema && s.schema.version < s.schema.supported) {
    out.push({
      ...base,
      severity: 'warn',
      code: 'store_schema_outdated',
      message: `${s.location} has schema version ${s.schema.version}; the next clawkeep command migrates it to ${s.schema.supported}`,
      next: `${ctx.command} store status`,
    });
  }
  if (s.encryption && !s.encryption.keyAvailable) {
    out.push({
      ...base,
      severity: 'error',
      code: 'store_key_missing',
      message: `the tokens in ${s.location} are encrypted with key ${s.encryption.keyId}, and this host has no key source holding it: nothing here can refresh or serve them (the store itself is intact)`,
      next: `set CLAWKEEP_STORE_KEY to that key, or copy ${ctx.clawkeepHome}/keys/${s.encryption.keyId}.key (0600) from a host that has it`,
    });
  }
  if (s.leases && s.leases.expired > 0) {
    out.push({
      ...base,
      severity: 'warn',
      code: 'stale_lease',
      message: `${s.leases.expired} lease(s) ran out without being released (a holder died); the next refresh on any host takes each over`,
    });
  }
  if (out.length === 0) {
    out.push({
      ...base,
      severity: 'ok',
      code: 'store_ok',
      message: `PostgreSQL store ${s.location} reachable (${s.connection.server}), schema ${s.schema?.version ?? '?'}, ${s.profiles ?? 0} profile(s), ${s.leases?.held ?? 0} lease(s) held`,
    });
  }
  return out;
}
