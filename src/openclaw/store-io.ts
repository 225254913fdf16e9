import { join } from 'node:path';
import { readJsonObject, readJsonStore, writeJsonDocument } from './json-files.js';
import { readOAuthSidecar } from './oauth-sidecar.js';
import { canonicalProfileId, parseProfileRecord, sameTokens } from './profile.js';
import { readSqliteStore, updateSqliteDocument } from './sqlite-stores.js';
import type { OpenClawProfile, ReadResult, StoreRef } from './types.js';

/** Reads every profile of any store or legacy file; a problem (with the path) instead of throwing. */
export function readProfilesFrom(store: StoreRef): ReadResult {
  if (store.kind === 'legacy' && store.format === 'oauth-sidecar')
    return readOAuthSidecar(store, null, join(store.path, '..', '..', '..'));
  return store.kind === 'json' || store.kind === 'legacy' ? readJsonStore(store) : readSqliteStore(store);
}

export interface WriteOptions {
  now: number;
  /**
   * Decides inside the write (transaction for SQLite) from the copy currently stored under the same
   * profile (or its era alias): return false to leave the store alone (compare-and-set).
   */
  shouldReplace?: (current: OpenClawProfile | null) => boolean;
  /**
   * Called with the copy about to be overwritten, inside the write and before it (so a crash never
   * loses it): the doctor backs it up here. Throwing aborts the write.
   */
  onReplace?: (current: OpenClawProfile) => void;
}

export type WriteOutcome =
  | { kind: 'written'; id: string }
  | { kind: 'unchanged'; id: string; current: OpenClawProfile | null };

const TOKEN_FIELDS = [
  'access',
  'refresh',
  'expires',
  'idToken',
  'key',
  'token',
  'keyRef',
  'tokenRef',
  'oauthRef',
];

/**
 * Writes one profile into a store in OpenClaw's own format, additively: other profiles and every
 * unknown field are kept. If the store holds the profile under its other-era id (`openai-codex:x` vs
 * `openai:x`), that id and its provider are kept so the era's runtime still finds it. Then reads the
 * store back and throws unless it now holds exactly these tokens.
 */
export function writeProfileTo(store: StoreRef, profile: OpenClawProfile, o: WriteOptions): WriteOutcome {
  if (store.kind === 'legacy') throw new Error(`refusing to write into legacy file ${store.path}`);
  let outcome: WriteOutcome = { kind: 'unchanged', id: profile.id, current: null };
  const apply = (doc: Record<string, unknown>): Record<string, unknown> | null => {
    const profiles = { ...((doc.profiles as Record<string, unknown> | undefined) ?? {}) };
    // New to a SQLite-era store: under the id OpenClaw ≥ 2026.6 matches (`openai-codex:x` → `openai:x`).
    const fresh = store.kind === 'json' ? profile.id : canonicalProfileId(profile.id);
    const id = findStoredId(profiles, profile.id) ?? fresh;
    const currentRaw = profiles[id];
    const current = currentRaw === undefined ? null : parseProfileRecord(id, currentRaw);
    if ((current && sameTokens(current, profile)) || (o.shouldReplace && !o.shouldReplace(current))) {
      outcome = { kind: 'unchanged', id, current };
      return null;
    }
    if (current) o.onReplace?.(current);
    // A new record there gets the provider that era matches too (a stored one keeps its own: mergeRecord).
    const eraRaw =
      store.kind !== 'json' && profile.raw.provider === 'openai-codex'
        ? { ...profile.raw, provider: 'openai' }
        : profile.raw;
    profiles[id] = mergeRecord(current?.raw, eraRaw);
    outcome = { kind: 'written', id };
    return { ...doc, version: doc.version ?? 1, profiles };
  };
  const after = updateStoreDocument(store, o.now, apply);
  const result = outcome as WriteOutcome;
  if (result.kind === 'written') verifyWritten(store, result.id, profile, after);
  return result;
}

/**
 * Takes one profile (or its other-era alias) out of a store, keeping everything else. `onRemove`
 * gets the record first, inside the write, so the caller can back it up before it is gone.
 * Verifies by reading back. Returns the id removed, or null when the store did not hold it.
 */
export function removeProfileFrom(
  store: StoreRef,
  profileId: string,
  o: { now: number; onRemove: (id: string, record: unknown) => void },
): string | null {
  if (store.kind === 'legacy') throw new Error(`refusing to change legacy file ${store.path}`);
  let removed: string | null = null;
  const apply = (doc: Record<string, unknown>): Record<string, unknown> | null => {
    const profiles = { ...((doc.profiles as Record<string, unknown> | undefined) ?? {}) };
    const id = findStoredId(profiles, profileId);
    if (id === null) return null;
    o.onRemove(id, profiles[id]);
    delete profiles[id];
    removed = id;
    return { ...doc, profiles };
  };
  const after = updateStoreDocument(store, o.now, apply);
  const id = removed as string | null;
  if (id !== null) {
    const back = after ?? readBack(store);
    if (back === null || back.some((p) => p.id === id)) {
      throw new Error(`read-back of ${store.path} still shows ${id} after removing it`);
    }
  }
  return id;
}

/**
 * Read-modify-write of a JSON or SQLite store's credential document (`apply` returns null to leave it).
 * For SQLite, the profiles read back after the commit through the same open (null otherwise: read back
 * with `readBack`).
 */
function updateStoreDocument(
  store: StoreRef,
  now: number,
  apply: (doc: Record<string, unknown>) => Record<string, unknown> | null,
): OpenClawProfile[] | null {
  if (store.kind === 'json') {
    const r = readJsonObject(store.path);
    if (!r.ok) throw new Error(r.problem.message);
    const next = apply(r.doc);
    if (next) writeJsonDocument(store.path, next);
    return null;
  }
  if (store.kind === 'legacy') return null;
  return updateSqliteDocument(store, now, apply).after;
}

/** The store's profiles as they are on disk now; null when it cannot be read. */
function readBack(store: StoreRef): OpenClawProfile[] | null {
  const r = readProfilesFrom(store);
  return r.ok ? r.contents.profiles : null;
}

function findStoredId(profiles: Record<string, unknown>, id: string): string | null {
  if (id in profiles) return id;
  const want = canonicalProfileId(id);
  return Object.keys(profiles).find((k) => canonicalProfileId(k) === want) ?? null;
}

/** The incoming tokens over the stored record's other fields; the stored provider wins (era naming). */
function mergeRecord(
  current: Record<string, unknown> | undefined,
  incoming: Record<string, unknown>,
): Record<string, unknown> {
  if (!current) return { ...incoming };
  const base = { ...current };
  for (const f of TOKEN_FIELDS) delete base[f];
  const merged: Record<string, unknown> = { ...base, ...incoming };
  if (typeof current.provider === 'string') merged.provider = current.provider;
  return merged;
}

function verifyWritten(
  store: StoreRef,
  id: string,
  profile: OpenClawProfile,
  after: OpenClawProfile[] | null,
): void {
  const back = (after ?? readBack(store))?.find((p) => p.id === id);
  if (!back || !sameTokens(back, profile)) {
    throw new Error(`read-back of ${store.path} does not show the tokens just written for ${id}`);
  }
}
