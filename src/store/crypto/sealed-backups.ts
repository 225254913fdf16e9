import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoSymlinkBelow, replaceFileAtomicallySync } from '../../util/files.js';
import type { Profile } from '../types.js';
import type { TokenCodec } from './token-codec.js';

/** A removed profile as its backup keeps it: its tokens sealed with `keyId` (null: plaintext). */
export function sealBackup(codec: TokenCodec, keyId: string | null, p: Profile): Profile {
  return {
    ...p,
    access: codec.seal(keyId, p.id, 'access', p.access),
    refresh: codec.seal(keyId, p.id, 'refresh', p.refresh),
  };
}

/** The backup files clawkeep wrote of removed profiles (`<home>/backups/profile-*.json`). */
export function listProfileBackups(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.startsWith('profile-') && n.endsWith('.json'))
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/**
 * Re-seals every profile backup under `dir` with `keyId` (null: plaintext), each file replaced
 * atomically (a marked temp file the next run sweeps if a crash leaves it). A file that is not a profile backup is left as it is. Returns the files changed.
 */
export function resealBackups(home: string, dir: string, codec: TokenCodec, keyId: string | null): string[] {
  const changed: string[] = [];
  for (const path of listProfileBackups(dir)) {
    let p: Profile;
    try {
      p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
    } catch {
      continue;
    }
    if (typeof p !== 'object' || p === null || typeof p.id !== 'string') continue;
    const open = {
      ...p,
      access: codec.open(p.id, 'access', p.access ?? null),
      refresh: codec.open(p.id, 'refresh', p.refresh ?? null),
    };
    const next = sealBackup(codec, keyId, open);
    if (next.access === p.access && next.refresh === p.refresh) continue;
    assertNoSymlinkBelow(home, path);
    replaceFileAtomicallySync(path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
    changed.push(path);
  }
  return changed;
}
