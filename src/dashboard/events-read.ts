import type { EventKind, Store, StoreEvent } from '../store/types.js';

export interface EventFilter {
  profileId?: string;
  kinds?: ReadonlySet<EventKind>;
  since?: number;
}

export function matches(e: StoreEvent, f: EventFilter): boolean {
  if (f.profileId && e.profileId !== f.profileId) return false;
  if (f.kinds && f.kinds.size > 0 && !f.kinds.has(e.kind)) return false;
  if (f.since !== undefined && e.at < f.since) return false;
  return true;
}

/** The latest `limit` events matching `f`, oldest first (the store lists from the start, in pages). */
export async function latestEvents(store: Store, f: EventFilter, limit: number): Promise<StoreEvent[]> {
  const out: StoreEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await store.listEvents({
      afterSeq: after,
      limit: 5000,
      ...(f.profileId ? { profileId: f.profileId } : {}),
    });
    for (const e of page) if (matches(e, f)) out.push(e);
    if (out.length > limit * 2) out.splice(0, out.length - limit);
    if (page.length < 5000) break;
    after = page.at(-1)!.seq;
  }
  return out.slice(-limit);
}

/** The sequence number of the newest event, so a live stream starts after it. */
export async function lastSeq(store: Store): Promise<number> {
  let after = 0;
  for (;;) {
    const page = await store.listEvents({ afterSeq: after, limit: 5000 });
    if (page.length === 0) return after;
    after = page.at(-1)!.seq;
    if (page.length < 5000) return after;
  }
}

/** Fallback and rotation counts per time bucket, for the Events chart. */
export function bucketCounts(
  events: readonly StoreEvent[],
  o: { from: number; to: number; buckets: number },
): Array<{ at: number; fallbacks: number; rotations: number }> {
  const width = Math.max(1, Math.ceil((o.to - o.from) / o.buckets));
  const out = Array.from({ length: o.buckets }, (_, i) => ({
    at: o.from + i * width,
    fallbacks: 0,
    rotations: 0,
  }));
  for (const e of events) {
    const i = Math.floor((e.at - o.from) / width);
    const b = out[i];
    if (!b) continue;
    if (e.kind === 'fallback') b.fallbacks++;
    else if (e.kind === 'rotated' || e.kind === 'adopted') b.rotations++;
  }
  return out;
}
