/**
 * OpenClaw's `openai-codex` → `openai` rename (openai-provider-unification, openclaw#88217, shipped in
 * 2026.6): from then on its runtime matches only `openai` profiles to `openai/*` models, so a profile id
 * `openai-codex:<name>`, a record `provider: "openai-codex"`, an `order`/`lastGood` entry keyed
 * `openai-codex` or naming such an id, and config refs (`auth.profiles`, `auth.order`, `openai-codex/<model>`)
 * are stale. Measured on 2026.9.6: such a profile loads but `resolveAuthProfileOrder` for `openai` returns
 * nothing, and `auth.order.openai: ["openai-codex:default"]` resolves no profile at all.
 *
 * Pure document rewrites, the same ones OpenClaw's own doctor makes (its `auth-profile-repair`): an id
 * becomes `openai:<name>`, or `openai:chatgpt-<name>` (then `-2`, `-3`…) when that id holds another
 * credential; order lists of both keys are merged under `openai`, renamed entries first.
 */

export const LEGACY_PROVIDER = 'openai-codex';
export const PROVIDER = 'openai';

type Doc = Record<string, unknown>;

const isRecord = (v: unknown): v is Doc => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

export function isLegacyProfileId(id: string): boolean {
  return id.trim().toLowerCase().startsWith(`${LEGACY_PROVIDER}:`);
}

function isLegacyProvider(v: unknown): boolean {
  return typeof v === 'string' && v.trim().toLowerCase() === LEGACY_PROVIDER;
}

/** `openai:<name>`, else `openai:chatgpt-<name>`, else `openai:chatgpt-<name>-<n>` (OpenClaw's allocation). */
export function allocateProfileId(legacyId: string, occupied: Set<string>): string {
  const suffix = legacyId.slice(legacyId.indexOf(':') + 1).trim() || 'default';
  const direct = `${PROVIDER}:${suffix}`;
  if (!occupied.has(direct)) return direct;
  const chatgpt = `${PROVIDER}:chatgpt-${suffix}`;
  if (!occupied.has(chatgpt)) return chatgpt;
  for (let n = 2; ; n++) if (!occupied.has(`${chatgpt}-${n}`)) return `${chatgpt}-${n}`;
}

const TOKEN_KEYS = ['access', 'refresh', 'key', 'token', 'oauthRef'] as const;
const FENCE = 'openclaw-oauth-refresh-fence:';

/**
 * Why a legacy record must keep its id for now, or null. A refresh fence is keyed by the profile id (its
 * owner commits only onto the record it fenced; fence-recovery settles it first); an `oauthRef` sidecar
 * names its profile id inside the sidecar, which only OpenClaw's own doctor moves with the record.
 */
export function keepReason(rec: Doc): 'refresh_fence' | 'oauth_sidecar' | null {
  if ([rec.access, rec.refresh].some((v) => typeof v === 'string' && v.startsWith(FENCE)))
    return 'refresh_fence';
  return rec.oauthRef !== undefined ? 'oauth_sidecar' : null;
}

function sameCredential(a: Doc, b: Doc): boolean {
  return TOKEN_KEYS.every((k) => JSON.stringify(a[k]) === JSON.stringify(b[k]));
}

export interface StoreRename {
  /** Old id → new id of every renamed (or folded) profile. */
  map: Map<string, string>;
  /** What changed, for messages (ids and field names only, never a value). */
  changes: string[];
  /** Legacy ids left as they are, and why (keepReason); their refs stay too. */
  kept: Map<string, 'refresh_fence' | 'oauth_sidecar'>;
  store: Doc;
  state: Doc | null;
}

/**
 * The rename applied to a credential document and its state document (order, lastGood, usageStats,
 * which the SQLite eras keep in a second row). Returns null when nothing is stale. A legacy record
 * whose canonical id already holds the very same credential is folded into it; any other collision
 * gets a fresh id, so no credential is ever dropped.
 */
export function renameInStore(store: Doc, state: Doc | null): StoreRename | null {
  const next: Doc = structuredClone(store);
  const nextState: Doc | null = state ? structuredClone(state) : null;
  const map = new Map<string, string>();
  const changes: string[] = [];
  const kept = new Map<string, 'refresh_fence' | 'oauth_sidecar'>();
  const profiles = isRecord(next.profiles) ? next.profiles : null;
  if (profiles) {
    const occupied = new Set(Object.keys(profiles).filter((id) => !isLegacyProfileId(id)));
    for (const id of Object.keys(profiles).sort()) {
      const rec = profiles[id];
      if (!isRecord(rec)) continue;
      const keep = isLegacyProfileId(id) || isLegacyProvider(rec.provider) ? keepReason(rec) : null;
      if (keep) {
        kept.set(id, keep);
        continue;
      }
      if (isLegacyProfileId(id)) {
        const direct = allocateProfileId(id, new Set());
        const there = profiles[direct];
        if (isRecord(there) && sameCredential(there, rec)) {
          delete profiles[id];
          map.set(id, direct);
          changes.push(`${id} folded into ${direct} (same credential)`);
          continue;
        }
        const to = allocateProfileId(id, occupied);
        occupied.add(to);
        delete profiles[id];
        profiles[to] = { ...rec, ...(isLegacyProvider(rec.provider) ? { provider: PROVIDER } : {}) };
        map.set(id, to);
        changes.push(`${id} → ${to}`);
      } else if (isLegacyProvider(rec.provider)) {
        profiles[id] = { ...rec, provider: PROVIDER };
        changes.push(`${id} provider openai-codex → openai`);
      }
    }
  }
  const known = new Set(profiles ? Object.keys(profiles) : []);
  for (const [label, doc] of [
    ['store', next],
    ['state', nextState],
  ] as const) {
    if (!doc) continue;
    const c = renameRotationState(doc, map, known, new Set(kept.keys()));
    changes.push(...c.map((x) => `${label} ${x}`));
  }
  return changes.length > 0 || kept.size > 0 ? { map, changes, kept, store: next, state: nextState } : null;
}

/** Renames inside `order`, `lastGood` and `usageStats` of one document (in place); what changed. */
function renameRotationState(
  doc: Doc,
  map: Map<string, string>,
  known: Set<string>,
  keep: Set<string>,
): string[] {
  const changes: string[] = [];
  // An id the profiles no longer hold under its old name: its renamed id, or its canonical id when the
  // store has that profile (an order written by an older runtime after the rename).
  const rename = (id: string): string => {
    const mapped = map.get(id);
    if (mapped) return mapped;
    if (isLegacyProfileId(id) && !keep.has(id)) {
      const canonical = allocateProfileId(id, new Set());
      if (known.has(canonical)) return canonical;
    }
    return id;
  };
  if (isRecord(doc.order)) {
    const before = JSON.stringify(doc.order);
    const order = doc.order;
    const moved = Array.isArray(order[LEGACY_PROVIDER]) ? (order[LEGACY_PROVIDER] as unknown[]) : null;
    for (const [k, v] of Object.entries(order))
      if (Array.isArray(v)) order[k] = v.map((e) => (typeof e === 'string' ? rename(e) : e));
    if (moved) {
      // Entries for kept ids stay under the old key (as OpenClaw keeps unresolved ones); the rest move.
      const all = order[LEGACY_PROVIDER] as unknown[];
      const stay = all.filter((e) => typeof e === 'string' && keep.has(e));
      const renamed = all.filter((e) => typeof e === 'string' && !keep.has(e));
      const current = Array.isArray(order[PROVIDER]) ? (order[PROVIDER] as unknown[]) : [];
      if (stay.length > 0) order[LEGACY_PROVIDER] = stay;
      else delete order[LEGACY_PROVIDER];
      if (renamed.length > 0 || stay.length === 0) order[PROVIDER] = [...new Set([...renamed, ...current])];
    }
    if (JSON.stringify(order) !== before) changes.push('order');
  }
  if (isRecord(doc.lastGood)) {
    const before = JSON.stringify(doc.lastGood);
    const lg = doc.lastGood;
    for (const [k, v] of Object.entries({ ...lg })) {
      const value = typeof v === 'string' ? rename(v) : v;
      if (k === LEGACY_PROVIDER && !(typeof v === 'string' && keep.has(v))) {
        delete lg[k];
        if (!(PROVIDER in lg)) lg[PROVIDER] = value;
      } else lg[k] = value;
    }
    if (JSON.stringify(lg) !== before) changes.push('lastGood');
  }
  if (isRecord(doc.usageStats)) {
    const us = doc.usageStats;
    let changed = false;
    for (const k of Object.keys({ ...us })) {
      const to = rename(k);
      if (to === k) continue;
      if (!(to in us)) us[to] = us[k];
      delete us[k];
      changed = true;
    }
    if (changed) changes.push('usageStats');
  }
  return changes;
}

/**
 * The rename applied to `openclaw.json`: `auth.profiles` ids and providers, `auth.order`, and under
 * `agents` every `openai-codex/<model>` ref (values and `models` keys) and every profile ref
 * (`authProfileId`, `profile`, `preferredProfile`). `map` carries the ids the stores chose, so config and
 * stores agree. Null when nothing is stale.
 */
export function renameInConfig(
  cfg: Doc,
  storeMap: Map<string, string>,
  keep: Set<string> = new Set(),
): { config: Doc; changes: string[] } | null {
  const config: Doc = structuredClone(cfg);
  const map = new Map(storeMap);
  const changes: string[] = [];
  const auth = isRecord(config.auth) ? config.auth : null;
  if (auth && isRecord(auth.profiles)) {
    const profiles = auth.profiles;
    const occupied = new Set([
      ...Object.keys(profiles).filter((id) => !isLegacyProfileId(id)),
      ...[...map.values()],
    ]);
    for (const id of Object.keys(profiles).sort()) {
      const rec = profiles[id];
      if (!isRecord(rec)) continue;
      const legacyId = isLegacyProfileId(id);
      if ((!legacyId && !isLegacyProvider(rec.provider)) || keep.has(id)) continue;
      let to = id;
      if (legacyId) {
        to = map.get(id) ?? allocateProfileId(id, occupied);
        occupied.add(to);
        map.set(id, to);
        delete profiles[id];
      }
      const existing = profiles[to];
      profiles[to] = { ...(isRecord(existing) ? existing : {}), ...rec, provider: PROVIDER };
      changes.push(legacyId ? `auth.profiles.${id} → ${to}` : `auth.profiles.${id}.provider → openai`);
    }
  }
  if (auth) {
    const known = new Set(isRecord(auth.profiles) ? Object.keys(auth.profiles) : []);
    for (const to of map.values()) known.add(to);
    const c = renameRotationState(auth, map, known, keep);
    changes.push(...c.filter((x) => x === 'order').map(() => 'auth.order'));
  }
  if (isRecord(config.agents)) {
    const refs = rewriteAgentRefs(config.agents, map, keep, 'agents');
    changes.push(...refs);
  }
  return changes.length > 0 ? { config, changes } : null;
}

const MODEL_REF = /^openai-codex\//i;
const PROFILE_REF_KEYS = new Set(['authProfileId', 'profile', 'preferredProfile']);

function rewriteAgentRefs(
  node: unknown,
  map: Map<string, string>,
  keep: Set<string>,
  path: string,
): string[] {
  const changes: string[] = [];
  const fixValue = (v: unknown, key: string | null, at: string): unknown => {
    if (typeof v === 'string') {
      if (MODEL_REF.test(v)) {
        changes.push(`${at}: ${v} → openai/${v.slice(LEGACY_PROVIDER.length + 1)}`);
        return `${PROVIDER}/${v.slice(LEGACY_PROVIDER.length + 1)}`;
      }
      if (key !== null && PROFILE_REF_KEYS.has(key) && isLegacyProfileId(v) && !keep.has(v)) {
        const to = map.get(v) ?? allocateProfileId(v, new Set());
        changes.push(`${at}: ${v} → ${to}`);
        return to;
      }
      return v;
    }
    if (Array.isArray(v)) return v.map((x, i) => fixValue(x, null, `${at}[${i}]`));
    if (isRecord(v)) {
      for (const [k, x] of Object.entries({ ...v })) {
        const nk = MODEL_REF.test(k) ? `${PROVIDER}/${k.slice(LEGACY_PROVIDER.length + 1)}` : k;
        const nx = fixValue(x, k, `${at}.${k}`);
        if (nk !== k) {
          delete v[k];
          if (!(nk in v)) v[nk] = nx;
          changes.push(`${at}: key ${k} → ${nk}`);
        } else v[k] = nx;
      }
    }
    return v;
  };
  fixValue(node, null, path);
  return changes;
}
