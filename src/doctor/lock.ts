import { existsSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { ClawkeepError } from '../errors.js';

export const DOCTOR_LOCK = '.clawkeep-doctor.lock';

/**
 * Takes the doctor's exclusive lock in every dir (sorted, so two runs never deadlock), waiting for
 * another `--fix` to finish. A lock whose holder died goes stale after 30 s (mtime refreshed while held).
 */
export async function withDoctorLock<T>(dirs: string[], fn: () => Promise<T>): Promise<T> {
  const releases: Array<() => Promise<void>> = [];
  try {
    for (const dir of [...new Set(dirs)].filter((d) => existsSync(d)).sort()) {
      try {
        releases.push(
          await lockfile.lock(dir, {
            lockfilePath: join(dir, DOCTOR_LOCK),
            realpath: false,
            stale: 30_000,
            update: 5_000,
            retries: { retries: 1200, minTimeout: 25, maxTimeout: 250, factor: 1.3 },
          }),
        );
      } catch (err) {
        throw new ClawkeepError(
          'store_busy',
          `another clawkeep doctor --fix holds ${join(dir, DOCTOR_LOCK)}; try again`,
          {
            cause: err,
            details: { path: dir },
          },
        );
      }
    }
    return await fn();
  } finally {
    for (const release of releases.reverse()) await release().catch(() => undefined);
  }
}
