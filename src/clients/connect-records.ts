import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { writeDirsOf } from '../util/files.js';
import type { ConnectClientId } from './types.js';

/** Where `connect` keeps what it changed in each agent's config (for `--undo`): `<home>/connected/<client>.json`. */
export function connectRecordPath(home: string, client: ConnectClientId): string {
  return join(home, 'connected', `${client}.json`);
}

/**
 * The dirs of the agent configs `connect` wrote (and the dirs their symbolic links lead to): a crash
 * mid-write leaves clawkeep's marked temp file there, holding a client key, for the next run to sweep.
 */
export function connectedConfigDirs(home: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(home, 'connected')).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const dirs = new Set<string>();
  for (const name of names) {
    let path: unknown;
    try {
      path = (JSON.parse(readFileSync(join(home, 'connected', name), 'utf8')) as { path?: unknown }).path;
    } catch {
      continue; // unreadable: `connect --undo` names it
    }
    if (typeof path !== 'string' || !isAbsolute(path)) continue;
    for (const d of writeDirsOf(path)) dirs.add(d);
  }
  return [...dirs];
}
