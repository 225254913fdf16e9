import { realpathSync } from 'node:fs';
import Database from 'better-sqlite3';
import { canonicalProfileId } from '../openclaw/profile.js';
import { resolveStoreLocation } from '../store/location.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import type { ClawkeepStoreView } from './types.js';

/**
 * An OpenClaw credential clawkeep took over with `import openclaw --move`: removed from the agent's
 * store on purpose, now held by clawkeep profile `profileId`. The rule the doctor holds everywhere:
 * such a credential is not missing from OpenClaw's store; OpenClaw reaches it through the gateway.
 */
export interface Takeover {
  /** The clawkeep profile that holds it now (still present in the store). */
  profileId: string;
  /** The agent dir it was moved out of (`<state>/agents/<id>/agent`). */
  agentDir: string;
  /** The id OpenClaw stored it under (`openai:default`, `openai-codex:default`…). */
  openclawId: string;
  at: number;
}

/**
 * The takeovers recorded in clawkeep's store: each `imported` event with `move: true` names the
 * linked-source locations it took the login out of (`moved`). A location imported again later without
 * `--move` is no longer taken over; a profile removed from clawkeep since is not either.
 */
export function readTakeovers(view: ClawkeepStoreView): Takeover[] {
  if (view.kind !== 'ok' || !view.inspection.profiles) return [];
  return takeoversFrom(readImportedEvents(view.path), new Set(view.inspection.profiles.map((p) => p.id)));
}

/**
 * `readTakeovers` through the `Store` interface: what a PostgreSQL store (a fleet's) records, read
 * before the doctor's synchronous checks run.
 */
export async function loadTakeovers(store: Store): Promise<Takeover[]> {
  const events: ImportedEvent[] = [];
  for (let after = 0; ; ) {
    const page = await store.listEvents({ kind: 'imported', afterSeq: after, limit: 1000 });
    if (page.length === 0) break;
    for (const e of page) if (e.profileId) events.push({ at: e.at, profileId: e.profileId, data: e.data });
    after = page.at(-1)!.seq;
  }
  return takeoversFrom(events, new Set((await store.listProfiles()).map((p) => p.id)));
}

/**
 * The takeovers to hand the doctor's context when clawkeep's store is PostgreSQL (`undefined` for a
 * SQLite store: the context reads the file itself). Uses `store` when the caller holds one open.
 * An unreachable server gives `null`: unknown (the clawkeep-store check reports the outage).
 */
export async function takeoversAhead(
  clawkeepHome: string,
  store?: Store | null,
): Promise<Takeover[] | null | undefined> {
  if (resolveStoreLocation(clawkeepHome).kind !== 'postgres') return undefined;
  if (store) return loadTakeovers(store).catch(() => null);
  let opened: Store | null = null;
  try {
    opened = openStore({ home: clawkeepHome }).store;
    return await loadTakeovers(opened);
  } catch {
    return null;
  } finally {
    await opened?.close().catch(() => undefined);
  }
}

function takeoversFrom(events: ImportedEvent[], held: Set<string>): Takeover[] {
  const latest = new Map<string, Takeover | null>();
  for (const e of events) {
    const moved = Array.isArray(e.data.moved) ? (e.data.moved as unknown[]) : [];
    const locations = e.data.move === true ? moved.flatMap(openclawLocationOf) : [];
    for (const l of locations) {
      latest.set(`${l.agentDir}#${canonicalProfileId(l.openclawId)}`, {
        ...l,
        profileId: e.profileId,
        at: e.at,
      });
    }
    // An import without --move of the same agent store links it again: OpenClaw holds it once more.
    const linked = Array.isArray(e.data.linked) ? (e.data.linked as unknown[]) : [];
    for (const l of linked.flatMap(openclawLocationOf))
      latest.set(`${l.agentDir}#${canonicalProfileId(l.openclawId)}`, null);
  }
  return [...latest.values()].filter((t): t is Takeover => t !== null && held.has(t.profileId));
}

/** The takeover of this agent's profile (matched by real path and era-independent id), if any. */
export function findTakeover(takeovers: Takeover[], agentDir: string, openclawId: string): Takeover | null {
  if (takeovers.length === 0) return null;
  const dir = realPath(agentDir);
  const key = canonicalProfileId(openclawId);
  return (
    takeovers.find((t) => canonicalProfileId(t.openclawId) === key && realPath(t.agentDir) === dir) ?? null
  );
}

/** The takeovers out of one agent dir (matched by real path). */
export function takeoversOf(takeovers: Takeover[], agentDir: string): Takeover[] {
  // Most homes have none: no path to resolve for each of a thousand agents then.
  if (takeovers.length === 0) return [];
  const dir = realPath(agentDir);
  return takeovers.filter((t) => realPath(t.agentDir) === dir);
}

function openclawLocationOf(v: unknown): Array<{ agentDir: string; openclawId: string }> {
  if (!v || typeof v !== 'object') return [];
  const { kind, location } = v as { kind?: unknown; location?: unknown };
  if (kind !== 'openclaw-agent' || typeof location !== 'string') return [];
  const hash = location.lastIndexOf('#');
  if (hash <= 0) return [];
  return [{ agentDir: location.slice(0, hash), openclawId: location.slice(hash + 1) }];
}

interface ImportedEvent {
  at: number;
  profileId: string;
  data: Record<string, unknown>;
}

function readImportedEvents(path: string): ImportedEvent[] {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const rows = db
      .prepare(
        `SELECT at, profile_id, data FROM events WHERE kind = 'imported' AND profile_id IS NOT NULL ORDER BY seq`,
      )
      .all() as Array<{ at: number; profile_id: string; data: string }>;
    return rows.flatMap((r) => {
      try {
        return [{ at: r.at, profileId: r.profile_id, data: JSON.parse(r.data) as Record<string, unknown> }];
      } catch {
        return [];
      }
    });
  } finally {
    db.close();
  }
}

function realPath(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
}
