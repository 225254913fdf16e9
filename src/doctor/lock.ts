import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { ClawkeepError } from '../errors.js';
import { toStoreIoError } from '../store/io-errors.js';

export const DOCTOR_LOCK = '.clawkeep-doctor.lock';

/** Longest a `--fix` waits for another one to finish. */
const WAIT_MS = 5 * 60_000;

/**
 * Takes the doctor's exclusive lock in every dir (sorted, so two runs never deadlock), waiting for
 * another `--fix` to finish. A lock whose holder died goes stale after 30 s (mtime refreshed while held).
 * Only a lock held by another run is waited for: a read-only, full or forbidden dir fails at once.
 */
export async function withDoctorLock<T>(dirs: string[], fn: () => Promise<T>): Promise<T> {
  const releases: Array<() => Promise<void>> = [];
  try {
    for (const dir of [...new Set(dirs)].filter((d) => existsSync(d)).sort()) {
      releases.push(await lockDir(dir));
    }
    return await fn();
  } finally {
    for (const release of releases.reverse()) await release().catch(() => undefined);
  }
}

async function lockDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, DOCTOR_LOCK);
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 25; ; delay = Math.min(250, Math.ceil(delay * 1.3))) {
    try {
      return await lockfile.lock(dir, { lockfilePath: path, realpath: false, stale: 30_000, update: 5_000 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') {
        const io = toStoreIoError(err, path, 'take the doctor lock', dir);
        if (io instanceof ClawkeepError) throw io;
        throw new ClawkeepError(
          'home_unusable',
          `cannot take the doctor lock ${path}: ${(err as Error).message}`,
          {
            cause: err,
            details: { path: dir },
          },
        );
      }
      if (Date.now() > deadline) {
        throw new ClawkeepError('store_busy', `another clawkeep doctor --fix holds ${path}; try again`, {
          cause: err,
          details: { path: dir },
        });
      }
      await sleep(delay);
    }
  }
}
