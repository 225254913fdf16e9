import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClawkeepError } from '../errors.js';
import { invokedAs } from '../util/invoked-as.js';
import { isPidAlive } from '../util/pid.js';

export const PID_FILE = 'gateway.pid';

export interface PidRecord {
  pid: number;
  url: string;
  startedAt: number;
}

export function pidFilePath(home: string): string {
  return join(home, PID_FILE);
}

/** The running gateway of this home, or null (a pid file whose process is gone counts as none). */
export function readRunning(home: string): PidRecord | null {
  let rec: PidRecord;
  try {
    rec = JSON.parse(readFileSync(pidFilePath(home), 'utf8')) as PidRecord;
  } catch {
    return null;
  }
  return Number.isInteger(rec.pid) && isPidAlive(rec.pid) ? rec : null;
}

/**
 * Claims the home for this gateway: creates the pid file atomically (link(2) fails if it exists).
 * A live owner makes it refuse with that owner's pid; a dead owner's file is moved aside first.
 */
export function claimPidFile(home: string, rec: PidRecord): () => void {
  const path = pidFilePath(home);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec), { mode: 0o600 });
  try {
    for (let i = 0; i < 3; i++) {
      try {
        linkSync(tmp, path);
        return () => release(path, rec.pid);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const running = readRunning(home);
      if (running) {
        throw new ClawkeepError(
          'gateway_running',
          `a gateway already runs on this home (pid ${running.pid}, ${running.url}); stop it with: ${invokedAs()} gateway stop`,
          { details: { pid: running.pid, url: running.url } },
        );
      }
      try {
        renameSync(path, `${path}.stale.${Date.now()}`);
      } catch {
        // Another starter moved it first; try again.
      }
    }
    throw new ClawkeepError('gateway_running', `could not claim ${path}; another gateway is starting`);
  } finally {
    unlinkSync(tmp);
  }
}

function release(path: string, pid: number): void {
  try {
    const rec = JSON.parse(readFileSync(path, 'utf8')) as PidRecord;
    if (rec.pid === pid) unlinkSync(path);
  } catch {
    // Already gone.
  }
}
