import { execFileSync } from 'node:child_process';

/**
 * Mounts a tmpfs of `size` on `dir`. Returns null when mounted, else why not: the tests skip, and
 * say why, only where mounting is impossible (not Linux, or not root). As root (CI) a failed mount
 * throws, so these tests never skip there.
 */
export function mountTmpfs(dir: string, size: string): string | null {
  const reason = tryMount(dir, size);
  if (reason && process.platform === 'linux' && process.getuid?.() === 0) {
    throw new Error(`test/faults: running as root, yet ${reason}`);
  }
  if (reason) console.warn(`test/faults: tmpfs tests SKIPPED: ${reason}`);
  return reason;
}

function tryMount(dir: string, size: string): string | null {
  if (process.platform !== 'linux') return `tmpfs needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CI runs the suite as root)';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `mount -t tmpfs failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`;
  }
}

/** Unmounts `dir` (lazily when a file on it is still open). */
export function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
}
