import { execFileSync } from 'node:child_process';

/**
 * Mounts a tmpfs of `size` on `dir`. Returns null when mounted, else why not (needs Linux and root;
 * CI runs as root). With CLAWKEEP_FAULTS_REQUIRE_MOUNT=1 (set by .ci/run) a failure throws instead,
 * so CI never skips these tests silently.
 */
export function mountTmpfs(dir: string, size: string): string | null {
  const reason = tryMount(dir, size);
  if (reason && process.env.CLAWKEEP_FAULTS_REQUIRE_MOUNT === '1') {
    throw new Error(`CLAWKEEP_FAULTS_REQUIRE_MOUNT=1 but ${reason}`);
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
