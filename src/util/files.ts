import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ClawkeepError } from '../errors.js';

/** fsyncs a directory so a link or rename in it is durable (best effort where the filesystem refuses). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A private (0600), fsync'd temp file beside `base` holding `content`; the caller links and removes it. */
function writePrivateTemp(base: string, content: string): string {
  mkdirSync(dirname(base), { recursive: true, mode: 0o700 });
  const tmp = `${base}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/**
 * Writes a new 0600 file atomically (a complete temp file hard-linked into place) and refuses
 * (EEXIST) to replace anything. Used for backups, which must never overwrite an earlier one.
 */
export function writeNewPrivateFile(path: string, content: string): void {
  const tmp = writePrivateTemp(path, content);
  try {
    linkSync(tmp, path);
    fsyncDir(dirname(path));
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Writes a new backup `<base>.<epochMs>.bak` atomically and never over an existing file, bumping
 * the stamp while that name is taken. Returns the path written.
 */
export function writeBackupFile(base: string, now: number, content: string): string {
  const tmp = writePrivateTemp(base, content);
  try {
    for (let stamp = now; ; stamp++) {
      const to = `${base}.${stamp}.bak`;
      try {
        linkSync(tmp, to);
        fsyncDir(dirname(base));
        return to;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Refuses (`home_unusable`) when any existing component of `path` below `root` is a symbolic link:
 * clawkeep never writes or deletes through a link that may lead out of the directory it owns.
 */
export function assertNoSymlinkBelow(root: string, path: string): void {
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..')) return;
  let at = root;
  for (const part of rel.split(sep)) {
    at = join(at, part);
    let isLink: boolean;
    try {
      isLink = lstatSync(at).isSymbolicLink();
    } catch {
      return; // Does not exist yet: what gets created there is a real directory or file.
    }
    if (isLink) {
      throw new ClawkeepError(
        'home_unusable',
        `${at} is a symbolic link; clawkeep does not write through links out of ${root}. Fix: replace it with a directory (mv ${at} ${at}.link && mkdir -m 700 ${at})`,
        { details: { path: at } },
      );
    }
  }
}
