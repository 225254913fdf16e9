import { statSync } from 'node:fs';
import { judgePending } from '../../broker/pending-rules.js';
import { TokenCodec } from '../../store/crypto/token-codec.js';
import { openStore } from '../../store/open-store.js';
import { pendingRotationsDir, RotationJournal } from '../../store/rotation-journal.js';
import { fingerprint } from '../../util/fingerprint.js';
import { isPidDead } from '../../util/pid.js';
import type { Check, DoctorContext, Finding, FixResult } from '../types.js';

/** A reservation (padding only, no token) older than this whose process is gone is a leftover. */
const RESERVATION_STALE_MS = 60_000;

/**
 * Rotated tokens a broker could not commit (full disk, I/O error, held lock, kill -9 between the
 * provider's answer and the commit), kept in `<home>/pending-rotations/`. The store's refresh token
 * is spent then: the fix writes the journaled tokens into the store (compare-and-set) and removes the file.
 */
export const pendingRotationsCheck: Check = {
  id: 'pending-rotations',
  title: 'No rotated tokens waiting outside the store',
  run(ctx) {
    const journal = journalOf(ctx);
    const { files, unreadable } = journal.list();
    const s = ctx.clawkeepStore();
    const rows = s.kind === 'ok' ? (s.inspection.profiles ?? []) : [];
    const base = { check: this.id };
    const out: Finding[] = [];
    for (const { path, record } of files) {
      const row = rows.find((p) => p.id === record.profileId) ?? null;
      const fingerprints = {
        pending: record.refreshFp,
        presented: record.presentedFp,
        store: fingerprint(row?.refresh),
      };
      const verdict = s.kind === 'ok' ? judgePending(record, row) : 'adopt';
      if (verdict === 'adopt') {
        out.push({
          ...base,
          severity: 'error',
          code: 'pending_rotation',
          profileId: record.profileId,
          path,
          fingerprints,
          message: `rotated tokens of ${record.profileId} are waiting in ${path}; the store still holds the spent refresh token`,
          next: `${ctx.command} doctor --fix`,
          fix: `write the tokens of ${path} into the store (only if it still holds the spent token) and remove the file`,
        });
      } else if (verdict === 'settled') {
        out.push({
          ...base,
          severity: 'warn',
          code: 'pending_rotation_settled',
          profileId: record.profileId,
          path,
          fingerprints,
          message: `${path} holds tokens of ${record.profileId} that the store already has`,
          next: `${ctx.command} doctor --fix`,
          fix: `remove ${path}`,
        });
      } else {
        out.push({
          ...base,
          severity: 'warn',
          code: 'pending_rotation_superseded',
          profileId: record.profileId,
          path,
          fingerprints,
          message: `${path} holds an older rotation of ${record.profileId}; the profile was logged in or replaced since, so it is kept but not used`,
          next: `rm ${path}   # once ${ctx.command} token ${record.profileId} works`,
        });
      }
    }
    for (const u of unreadable) {
      out.push({
        ...base,
        severity: 'error',
        code: 'pending_rotation_unreadable',
        path: u.path,
        message: `${u.path} is not a pending rotation clawkeep can read: ${u.message}; left untouched`,
        // A record sealed with a key this host lacks is a credential: restore the key, never move it aside.
        next: u.hint ?? `mv ${u.path} ${u.path}.broken`,
      });
    }
    for (const r of staleReservations(journal, ctx)) {
      out.push({
        ...base,
        severity: 'warn',
        code: 'stale_reservation',
        path: r,
        message: `${r} is space set aside by a process that is gone (padding, no token)`,
        next: `${ctx.command} doctor --fix`,
        fix: `remove ${r}`,
      });
    }
    return out;
  },
  async fix(ctx, finding): Promise<FixResult> {
    const journal = journalOf(ctx);
    if (finding.code === 'stale_reservation') {
      if (!staleReservations(journal, ctx).includes(finding.path!))
        return { status: 'unchanged', message: `${finding.path} is gone or in use again` };
      journal.remove(finding.path!);
      return { status: 'fixed', message: `removed ${finding.path}` };
    }
    const file = journal.list().files.find((f) => f.path === finding.path);
    if (!file) return { status: 'unchanged', message: `${finding.path} is already gone` };
    const { store } = openStore({ home: ctx.clawkeepHome });
    try {
      const row = await store.getProfile(file.record.profileId);
      const verdict = judgePending(file.record, row);
      if (verdict === 'superseded')
        return { status: 'skipped', message: `${file.record.profileId} changed since; ${file.path} kept` };
      if (verdict === 'adopt') {
        const out = await store.commitRotation(row!.id, row!.refresh!, file.record.tokens, ctx.now());
        if (out.kind === 'conflict')
          return { status: 'skipped', message: `${row!.id} changed while fixing; run the doctor again` };
        journal.remove(file.path);
        return {
          status: 'fixed',
          message: `wrote the rotated tokens of ${row!.id} from ${file.path} into the store (generation ${out.profile.generation}) and removed the file`,
        };
      }
      journal.remove(file.path);
      return { status: 'fixed', message: `removed ${file.path} (the store already holds its tokens)` };
    } finally {
      await store.close();
    }
  },
};

/** The store's journal; its sealed records open with the keys the home's store uses. */
function journalOf(ctx: DoctorContext): RotationJournal {
  return new RotationJournal(
    pendingRotationsDir(ctx.clawkeepHome),
    undefined,
    new TokenCodec({ home: ctx.clawkeepHome }),
  );
}

function staleReservations(journal: RotationJournal, ctx: DoctorContext): string[] {
  return journal
    .listReservations()
    .filter((r) => {
      if (r.pid !== null && !isPidDead(r.pid)) return false;
      try {
        return ctx.now() - statSync(r.path).mtimeMs > RESERVATION_STALE_MS;
      } catch {
        return false;
      }
    })
    .map((r) => r.path);
}
