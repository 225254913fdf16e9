import {
  fenceGraceMs,
  isFencedGeneration,
  isProvablyFresherThanFence,
  parseRefreshFence,
} from '../openclaw/fence.js';
import { canonicalProfileId, compareFreshness, deadReason, sameTokens } from '../openclaw/profile.js';
import type { OpenClawProfile, StoreRef } from '../openclaw/types.js';
import type { AgentView } from './types.js';

/** One copy of a profile and where it sits. */
export interface Copy {
  profile: OpenClawProfile;
  store: StoreRef;
  updatedAt: number | null;
}

/** Every copy of one profile (by era-independent id) around one agent. */
export interface ProfileCopies {
  key: string;
  /** The copy in the store OpenClaw reads, if any. */
  primary: Copy | null;
  others: Copy[];
}

/** Groups the readable copies of an agent's profiles by era-independent id, sorted by id. */
export function collectCopies(view: AgentView): ProfileCopies[] {
  const byKey = new Map<string, ProfileCopies>();
  const entry = (id: string) => {
    const key = canonicalProfileId(id);
    let e = byKey.get(key);
    if (!e) {
      e = { key, primary: null, others: [] };
      byKey.set(key, e);
    }
    return e;
  };
  if (view.primary?.result.ok) {
    const c = view.primary.result.contents;
    for (const p of c.profiles) entry(p.id).primary = { profile: p, store: c.store, updatedAt: c.updatedAt };
  }
  for (const l of view.legacy) {
    if (!l.result.ok) continue;
    const c = l.result.contents;
    for (const p of c.profiles)
      entry(p.id).others.push({ profile: p, store: c.store, updatedAt: c.updatedAt });
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The copy OpenClaw should read: the freshest live one by the freshness order. Ties keep the
 * store's own copy (no change), then the first source in path order (deterministic). When the store
 * holds a refresh fence, only a copy provably fresher than the fenced generation counts (a copy of
 * the refresh token the dead owner may have spent never does).
 */
export function freshestLive(copies: ProfileCopies, now: number): Copy | null {
  const fenceOk = fenceFilter(copies, now);
  const live = [copies.primary, ...copies.others].filter(
    (c): c is Copy => c !== null && deadReason(c.profile, now) === null && fenceOk(c),
  );
  let best: Copy | null = null;
  for (const c of live) if (!best || compareFreshness(c, best) > 0) best = c;
  return best;
}

/**
 * True when `copy` is safe to archive as far as this profile goes: the store holds the same tokens,
 * or a copy at least as fresh, or `copy` holds nothing live.
 */
export function isRepresented(copy: Copy, primary: Copy | null, now: number): boolean {
  if (deadReason(copy.profile, now) !== null) return true;
  if (!primary) return false;
  return sameTokens(copy.profile, primary.profile) || compareFreshness(primary, copy) > 0;
}

function fenceFilter(copies: ProfileCopies, now: number): (c: Copy) => boolean {
  const primary = copies.primary;
  const fence = primary ? parseRefreshFence(primary.profile) : null;
  if (!primary || !fence) return () => true;
  // A fence this recent may belong to a refresh still on the wire: its owner settles it, not us.
  if (fence.state === 'pending' && primary.updatedAt !== null && now - primary.updatedAt < fenceGraceMs())
    return (c) => c === primary;
  const fenced = copies.others.filter((c) => isFencedGeneration(fence, primary.profile, c.profile));
  return (c) =>
    c === primary || isProvablyFresherThanFence(fence, primary.profile, primary.updatedAt, c, fenced);
}
