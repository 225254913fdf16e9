import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { open, realpath, rename, stat, unlink } from 'node:fs/promises';
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

/**
 * The name of a temp file clawkeep writes beside `base`: `<base>.clawkeep.tmp-<pid>-<8 hex>`. The
 * marker and the writer's pid let the next run tell its own abandoned temp files (which may hold a
 * credential) from anything else in a directory it shares with other tools (store/leftovers.ts).
 */
export function tempPathFor(base: string): string {
  return `${base}.clawkeep.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A private (0600), fsync'd temp file beside `base` holding `content`; the caller links and removes it. */
function writePrivateTemp(base: string, content: string): string {
  mkdirSync(dirname(base), { recursive: true, mode: 0o700 });
  const tmp = tempPathFor(base);
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

const writing = new Map<string, Promise<void>>();

/**
 * Replaces `path` atomically (a complete, fsync'd temp file renamed over it) with exactly `mode`
 * and, where the file exists, its owner (a root process writing a user's file leaves it theirs). A
 * symbolic link at `path` stays one: its target is replaced. Writes to one path run in call order.
 * A crash leaves at most a `tempPathFor` file, which the next run removes.
 */
export function replaceFileAtomically(path: string, content: string, mode: number): Promise<void> {
  const previous = writing.get(path) ?? Promise.resolve();
  const done = previous.then(() => replaceNow(path, content, mode));
  const settled = done.catch(() => undefined);
  writing.set(path, settled);
  void settled.then(() => {
    if (writing.get(path) === settled) writing.delete(path);
  });
  return done;
}

async function replaceNow(path: string, content: string, mode: number): Promise<void> {
  const target = await realpath(path).catch(() => path);
  const owner = await stat(target).catch(() => null);
  const tmp = tempPathFor(target);
  const fh = await open(tmp, 'wx', mode);
  let renamed = false;
  try {
    // Exactly `mode`, whatever the umask.
    await fh.chmod(mode);
    if (owner) await fh.chown(owner.uid, owner.gid).catch(ignoreUnlessRoot);
    await fh.writeFile(content);
    await fh.sync();
    await fh.close();
    await rename(tmp, target);
    renamed = true;
    fsyncDir(dirname(target));
  } finally {
    if (!renamed) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    }
  }
}

/** `replaceFileAtomically` for synchronous callers (OpenClaw's stores, written under its lock). */
export function replaceFileAtomicallySync(path: string, content: string, mode: number): void {
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // Not there yet: created as a plain file.
  }
  let owner: { uid: number; gid: number } | null = null;
  try {
    owner = statSync(target);
  } catch {
    owner = null;
  }
  const tmp = tempPathFor(target);
  const fd = openSync(tmp, 'wx', mode);
  let closed = false;
  let renamed = false;
  try {
    fchmodSync(fd, mode);
    if (owner) {
      try {
        fchownSync(fd, owner.uid, owner.gid);
      } catch (err) {
        ignoreUnlessRoot(err as NodeJS.ErrnoException);
      }
    }
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    renameSync(tmp, target);
    renamed = true;
    fsyncDir(dirname(target));
  } finally {
    // Never close twice: the number may belong to another file by then.
    if (!closed) closeSync(fd);
    if (!renamed) rmSync(tmp, { force: true });
  }
}

/** Only root may give a file away; anyone else writes their own file, so the owner is already right. */
function ignoreUnlessRoot(err: NodeJS.ErrnoException): void {
  if (process.getuid?.() === 0 && err.code !== 'ENOSYS') throw err;
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

/**
 * The folders a write to `path` lands in: its own, and the one its symbolic link leads to (when it is
 * one and the target exists). Where a crash mid-write can leave a temp file.
 */
export function writeDirsOf(path: string): string[] {
  const dirs = [dirname(path)];
  try {
    const real = dirname(realpathSync(path));
    if (real !== dirs[0]) dirs.push(real);
  } catch {
    // Gone: nothing was written through it.
  }
  return dirs;
}
