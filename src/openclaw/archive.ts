import { createHash } from 'node:crypto';
import { chmodSync, existsSync, linkSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { fsyncDir } from '../util/files.js';

/** OpenClaw's own archive name for an imported legacy file. */
export function archivePathFor(path: string, epochMs: number): string {
  return `${path}.sqlite-import.${epochMs}.bak`;
}

export function hashFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Archives an imported legacy file as `<file>.sqlite-import.<epochMs>.bak` (0600): a hard link
 * (atomic, refuses to overwrite) then the old name is unlinked. If the file changed since it was
 * verified (`expectedSha256`), the old name stays: nothing that was not imported disappears.
 */
export function archiveLegacyFile(
  path: string,
  now: number,
  expectedSha256: string,
): { archived: true; to: string } | { archived: false; reason: string } {
  let stamp = now;
  while (existsSync(archivePathFor(path, stamp))) stamp++;
  let to = archivePathFor(path, stamp);
  for (;;) {
    try {
      linkSync(path, to);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      to = archivePathFor(path, ++stamp);
    }
  }
  chmodSync(to, 0o600);
  if (hashFile(to) !== expectedSha256) {
    fsyncDir(dirname(path));
    return {
      archived: false,
      reason: `${path} changed while it was being imported; kept it (copy at ${to})`,
    };
  }
  unlinkSync(path);
  fsyncDir(dirname(path));
  return { archived: true, to };
}

export { writeBackupFile } from '../util/files.js';
