import { statfsSync } from 'node:fs';
import { isOwnerDead } from '../../broker/owner.js';
import { resolveStoreLocation } from '../../store/location.js';
import { openStore } from '../../store/open-store.js';
import { readOnlyReason } from '../context.js';
import type { Check, Finding, FixResult } from '../types.js';
import { postgresStoreFindings } from './postgres-store.js';

/** clawkeep's own store: schema version, `PRAGMA integrity_check`, leases held by dead owners. */
export const clawkeepStoreCheck: Check = {
  id: 'clawkeep-store',
  title: "clawkeep's own store",
  async run(ctx) {
    // A fleet's store lives in PostgreSQL: checked through its server, not a file in the home.
    const location = resolveStoreLocation(ctx.clawkeepHome);
    if (location.kind === 'postgres') return postgresStoreFindings(ctx, location, this.id);
    const s = ctx.clawkeepStore();
    const base = { check: this.id };
    if (s.kind === 'absent') {
      return [
        {
          ...base,
          severity: 'ok',
          code: 'no_store',
          message: `no clawkeep store at ${s.home} yet (nothing to check)`,
        },
      ];
    }
    if (s.kind === 'unreadable') {
      return [
        {
          ...base,
          severity: 'error',
          code: s.code,
          path: s.path,
          message: `${s.path} cannot be read: ${s.message}; left untouched`,
          next: s.next,
        },
      ];
    }
    const i = s.inspection;
    const out: Finding[] = [];
    const readonly = readOnlyReason(s.home);
    if (readonly) {
      out.push({
        ...base,
        severity: 'error',
        code: readonly.code,
        path: s.home,
        message: `${s.home} cannot be written (${readonly.message}): no token can be refreshed or saved`,
        next: String(readonly.details.fix),
      });
    }
    const free = freeBytes(s.home);
    if (free !== null && free < LOW_SPACE_BYTES) {
      out.push({
        ...base,
        severity: 'warn',
        code: 'store_low_space',
        path: s.home,
        message: `only ${Math.floor(free / 1024)} KiB free on the disk holding ${s.home}; refreshes are refused when less than 64 KiB is left`,
        next: `df -h ${s.home}   # and free some space`,
      });
    }
    if (i.schemaVersion > i.supportedSchemaVersion) {
      out.push({
        ...base,
        severity: 'error',
        code: 'store_schema_newer',
        path: s.path,
        message: `${s.path} has schema version ${i.schemaVersion}, newer than this clawkeep (${i.supportedSchemaVersion})`,
        next: 'npm install -g clawkeep@latest',
      });
    } else if (i.schemaVersion < i.supportedSchemaVersion) {
      out.push({
        ...base,
        severity: 'warn',
        code: 'store_schema_outdated',
        path: s.path,
        message: `${s.path} has schema version ${i.schemaVersion}; this clawkeep migrates it to ${i.supportedSchemaVersion} on open`,
        next: `${ctx.command} doctor --fix`,
        fix: 'open the store, which applies the pending migrations',
      });
    }
    if (i.integrity[0] !== 'ok') {
      out.push({
        ...base,
        severity: 'error',
        code: 'store_corrupt',
        path: s.path,
        message: `integrity_check of ${s.path}: ${i.integrity.slice(0, 3).join('; ')}`,
        next: `sqlite3 ${s.path} '.recover' > recovered.sql   # and keep the file`,
      });
    }
    const now = ctx.now();
    for (const p of i.profiles ?? []) {
      if (!p.leaseOwner) continue;
      const dead = isOwnerDead(p.leaseOwner);
      const expired = (p.leaseUntil ?? 0) <= now;
      if (!dead && !expired) continue;
      out.push({
        ...base,
        severity: 'warn',
        code: 'stale_lease',
        profileId: p.id,
        path: s.path,
        message: `lease on ${p.id} held by ${p.leaseOwner}, ${dead ? 'a dead process' : 'expired'}; the next refresh takes it over`,
        next: `${ctx.command} doctor --fix`,
        fix: 'release the lease (only if that owner still holds it)',
      });
    }
    if (out.length === 0) {
      out.push({
        ...base,
        severity: 'ok',
        code: 'store_ok',
        path: s.path,
        message: `${s.path}: schema v${i.schemaVersion}, integrity ok, ${i.profiles?.length ?? 0} profiles`,
      });
    }
    return out;
  },
  async fix(ctx, finding): Promise<FixResult> {
    const { store } = openStore({ home: ctx.clawkeepHome });
    try {
      if (finding.code === 'store_schema_outdated') return { status: 'fixed', message: 'store migrated' };
      const p = await store.getProfile(finding.profileId!);
      if (!p?.leaseOwner) return { status: 'unchanged', message: 'lease already released' };
      if (!isOwnerDead(p.leaseOwner) && (p.leaseUntil ?? 0) > ctx.now()) {
        return { status: 'skipped', message: `lease on ${p.id} is live again; left alone` };
      }
      await store.releaseLease(p.id, p.leaseOwner);
      return { status: 'fixed', message: `released the lease on ${p.id} held by ${p.leaseOwner}` };
    } finally {
      await store.close();
    }
  },
};

/** Below this, the doctor warns: a rotation sets 64 KiB aside before presenting a refresh token. */
const LOW_SPACE_BYTES = 1024 * 1024;

function freeBytes(dir: string): number | null {
  try {
    const st = statfsSync(dir);
    return st.bavail * st.bsize;
  } catch {
    return null;
  }
}
