import { ClawkeepError } from '../errors.js';
import { clawkeepProviderOf, openclawCopy, openclawLocation } from '../linked/openclaw-agent.js';
import {
  archiveLegacyFile,
  checkOpenClawSelection,
  deadReason,
  hashFile,
  locateOpenClawHomes,
  readProfilesFrom,
  removeProfileFrom,
  type ScannedAgent,
  type StoreRef,
  scanOpenClawHome,
  writeBackupFile,
} from '../openclaw/index.js';
import { invokedAs } from '../util/invoked-as.js';
import type { ImportCopy, ImportSource } from './types.js';

/** `--openclaw-home` dirs, else `$OPENCLAW_STATE_DIR`, `~/.openclaw`, `~/.clawdbot` (those that exist). */
export function openclawHomes(explicit: string[] = []): string[] {
  const homes = locateOpenClawHomes({ explicit });
  checkOpenClawSelection({ homes, explicit: explicit.length > 0 });
  if (homes.length === 0) {
    throw new ClawkeepError(
      'source_invalid',
      'no OpenClaw state dir found (~/.openclaw); pass --openclaw-home DIR',
      {
        details: {},
      },
    );
  }
  return homes;
}

/**
 * Every OpenClaw OAuth credential in the given state dirs, in every era: each agent's primary store
 * (what its runtime reads; linked) plus leftover JSON, `auth.json`, `credentials/oauth.json` and
 * OpenClaw's own `*.bak` archives (read only: they may hold the live token a split left behind).
 * An unreadable store or leftover fails the whole source, naming the file; a broken archive is noted.
 */
export function readOpenClawSource(homes: string[], now = Date.now()): ImportSource {
  const copies: ImportCopy[] = [];
  const notes: string[] = [];
  const storeOf = new Map<ImportCopy, StoreRef>();
  for (const dir of homes) {
    const scan = scanOpenClawHome(dir);
    for (const problem of scan.problems) notes.push(`${problem.path}: ${problem.message}`);
    if (scan.agents.length === 0) notes.push(`${dir}: no agents with credentials`);
    for (const agent of scan.agents) readAgent(agent, copies, notes, now, storeOf);
  }
  if (copies.some((c) => c.link === null)) {
    notes.push(
      `copies outside the agents' stores (leftover JSON, archives) were read, never changed: \`${invokedAs()} doctor --fix --openclaw-home DIR\` tidies them`,
    );
  }
  if (copies.length === 0) {
    throw new ClawkeepError(
      'source_invalid',
      `${homes.join(', ')}: no OpenAI Codex or Anthropic OAuth login found in any agent`,
      { details: { homes } },
    );
  }
  return {
    kind: 'openclaw',
    title: `OpenClaw (${homes.join(', ')})`,
    copies,
    notes,
    archive: async (moved, at) => moveOutOfOpenClaw(moved, storeOf, at),
  };
}

function readAgent(
  agent: ScannedAgent,
  copies: ImportCopy[],
  notes: string[],
  now: number,
  storeOf: Map<ImportCopy, StoreRef>,
): void {
  const stores: StoreRef[] = [...(agent.primary ? [agent.primary] : []), ...agent.legacy];
  for (const store of stores) {
    const isBackup = store.kind === 'legacy' && store.format === 'backup';
    if (store.kind === 'legacy' && store.format === 'auth-state') continue;
    const r = readProfilesFrom(store);
    if (!r.ok) {
      if (isBackup) {
        notes.push(`${r.problem.path}: skipped (${r.problem.message})`);
        continue;
      }
      throw new ClawkeepError('source_invalid', `${r.problem.message}; nothing imported`, {
        details: { path: r.problem.path, problem: r.problem.code },
      });
    }
    const primary = store === agent.primary;
    for (const p of r.contents.profiles) {
      const where = `${store.path} ${p.id}`;
      if (p.type !== 'oauth') {
        if (primary)
          notes.push(`${where}: ${p.type} profile left in OpenClaw (clawkeep imports OAuth logins)`);
        continue;
      }
      if (!clawkeepProviderOf(p)) {
        if (primary) notes.push(`${where}: provider ${p.provider} is not one clawkeep holds`);
        continue;
      }
      const dead = deadReason(p, now);
      const copy = dead ? null : openclawCopy(p, r.contents.updatedAt, `${agent.id} ${p.id}`);
      if (!copy) {
        notes.push(`${where}: no usable tokens (${dead ?? 'no access token'}); not imported`);
        continue;
      }
      const imported: ImportCopy = {
        ...copy,
        file: store.path,
        // Only the store the agent's runtime reads is kept in step; leftovers are read once.
        link: primary ? { kind: 'openclaw-agent', location: openclawLocation(agent.dir, p.id) } : null,
        suggestedName: p.id.slice(p.id.indexOf(':') + 1) || null,
      };
      copies.push(imported);
      storeOf.set(imported, store);
    }
  }
}

/**
 * `--move`: takes the imported logins out of OpenClaw so only clawkeep holds them. From each agent's
 * runtime store the profile is removed after its record is saved as a 0600 backup beside the store;
 * leftover JSON files holding a copy are archived as OpenClaw's importer does
 * (`<file>.sqlite-import.<ms>.bak`). OpenClaw's own `*.bak` archives are left as they are.
 */
function moveOutOfOpenClaw(moved: ImportCopy[], storeOf: Map<ImportCopy, StoreRef>, now: number): string[] {
  const lines: string[] = [];
  const leftovers = new Set<string>();
  for (const c of moved) {
    const store = storeOf.get(c);
    if (!store) continue;
    if (store.kind === 'legacy') {
      if (store.format !== 'backup') leftovers.add(store.path);
      continue;
    }
    const id = c.link?.location.slice(c.link.location.lastIndexOf('#') + 1);
    if (!id) continue;
    let backup = '';
    const removed = removeProfileFrom(store, id, {
      now,
      onRemove: (storedId, record) => {
        const base = `${store.path}.clawkeep-import.${storedId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
        backup = writeBackupFile(base, now, `${JSON.stringify({ [storedId]: record }, null, 2)}\n`);
      },
    });
    if (removed) lines.push(`${store.path}: ${removed} removed; its record saved to ${backup} (0600)`);
  }
  for (const path of leftovers) {
    const r = archiveLegacyFile(path, now, hashFile(path));
    lines.push(r.archived ? `${path} archived to ${r.to} (0600)` : `${path} left in place: ${r.reason}`);
  }
  return lines;
}
