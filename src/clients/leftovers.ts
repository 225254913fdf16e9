import { isAbsolute } from 'node:path';
import { type LeftoverDir, sweepDirs, sweepLeftovers } from '../store/leftovers.js';
import type { LinkedSourceRef, Store } from '../store/types.js';
import { writeDirsOf } from '../util/files.js';
import { connectedConfigDirs } from './connect-records.js';

/**
 * The dirs where writing a linked source leaves its temp file: the file's dir, and the dir of the
 * file a symbolic link there points to (the write replaces the link's target). An OpenClaw agent
 * location is `<agent dir>#<profile id>`. Locations that are not paths (a database URL) have none.
 */
export function linkedDirs(refs: ReadonlyArray<Pick<LinkedSourceRef, 'kind' | 'location'>>): LeftoverDir[] {
  const dirs = new Set<string>();
  for (const ref of refs) {
    const at = ref.kind === 'openclaw-agent' ? ref.location.lastIndexOf('#') : -1;
    const path = at > 0 ? ref.location.slice(0, at) : ref.location;
    if (!isAbsolute(path)) continue;
    if (at > 0) {
      dirs.add(path);
      continue;
    }
    for (const d of writeDirsOf(path)) dirs.add(d);
  }
  return [...dirs].map((shared) => ({ shared }));
}

/**
 * Removes clawkeep's own abandoned temp files beside every linked source (a crash mid-write leaves
 * one, holding a credential): only marked names of this user whose writer is gone (store/leftovers).
 */
export async function sweepLinkedLeftovers(store: Store, now = Date.now()): Promise<string[]> {
  let refs: LinkedSourceRef[];
  try {
    refs = await store.listLinkedSources();
  } catch {
    // Best effort: the command itself reports a store it cannot read; the doctor lists leftovers.
    return [];
  }
  return sweepDirs(linkedDirs(refs), now);
}

/**
 * Every sweep a run makes before it acts: clawkeep's home and backups, the dirs of linked sources, and
 * the agent configs `connect` wrote. Returns what it removed (each a temp file a crash left).
 */
export async function sweepAllLeftovers(home: string, store: Store, now = Date.now()): Promise<string[]> {
  return [
    ...sweepLeftovers(home, now),
    ...(await sweepLinkedLeftovers(store, now)),
    ...sweepDirs(
      connectedConfigDirs(home).map((shared) => ({ shared })),
      now,
    ),
  ];
}
