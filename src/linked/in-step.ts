import { compareFreshness } from '../broker/freshness.js';
import type { LinkedSourceRef, Profile } from '../store/types.js';
import { fingerprint } from '../util/fingerprint.js';
import { getLinkedAdapter } from './index.js';

/**
 * Whether a linked source holds the same credential as the store: `in_step`; `behind` (an older
 * copy: the next write-back updates it); `ahead` (a fresher copy: the broker adopts it before its
 * next refresh); `missing` (no copy for this provider there); `unreadable`.
 */
export type StepState = 'in_step' | 'behind' | 'ahead' | 'missing' | 'unreadable';

export interface SourceStep {
  kind: string;
  location: string;
  state: StepState;
  /** The copy's refresh-token fingerprint, or null when there is no copy. */
  refreshFp: string | null;
  detail: string | null;
}

export async function checkInStep(profile: Profile, ref: LinkedSourceRef): Promise<SourceStep> {
  const base = { kind: ref.kind, location: ref.location };
  const adapter = getLinkedAdapter(ref.kind);
  if (!adapter)
    return { ...base, state: 'unreadable', refreshFp: null, detail: `no adapter for ${ref.kind}` };
  try {
    const copy = await adapter.read(ref.location, profile);
    if (!copy) return { ...base, state: 'missing', refreshFp: null, detail: null };
    const same = copy.refresh === profile.refresh && copy.access === profile.access;
    const order = same ? 0 : compareFreshness(copy, { ...profile, updatedAt: profile.updatedAt });
    return {
      ...base,
      state: same ? 'in_step' : order > 0 ? 'ahead' : 'behind',
      refreshFp: fingerprint(copy.refresh),
      detail: null,
    };
  } catch (err) {
    return { ...base, state: 'unreadable', refreshFp: null, detail: (err as Error).message };
  }
}
