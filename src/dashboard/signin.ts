import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeNewPrivateFile } from '../util/files.js';

/** How long a sign-in link works; it is also spent by its first use. */
export const SIGNIN_TTL_MS = 5 * 60_000;

function signinDir(home: string): string {
  return join(home, 'dashboard-signin');
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Mints a one-time sign-in token for the dashboard of this home. Only its hash is written (0600,
 * under `<home>/dashboard-signin/`), so `clawkeep dashboard` can mint one for a gateway running in
 * another process.
 */
export function mintSignInToken(home: string, now = Date.now()): string {
  const token = randomBytes(24).toString('base64url');
  mkdirSync(signinDir(home), { recursive: true, mode: 0o700 });
  writeNewPrivateFile(
    join(signinDir(home), hashToken(token)),
    JSON.stringify({ expiresAt: now + SIGNIN_TTL_MS }),
  );
  sweep(home, now);
  return token;
}

/**
 * Spends a sign-in token: true once for a live token, false for an unknown, used or expired one.
 * The rename makes the first use win when two arrive at once.
 */
export function consumeSignInToken(home: string, token: string, now = Date.now()): boolean {
  if (!/^[A-Za-z0-9_-]{16,100}$/.test(token)) return false;
  const file = join(signinDir(home), hashToken(token));
  const spent = `${file}.spent-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, spent);
  } catch {
    return false;
  }
  try {
    const { expiresAt } = JSON.parse(readFileSync(spent, 'utf8')) as { expiresAt: number };
    return typeof expiresAt === 'number' && expiresAt > now;
  } catch {
    return false;
  } finally {
    unlinkSync(spent);
  }
}

/** Removes expired tokens so the folder does not grow. */
function sweep(home: string, now: number): void {
  for (const name of readdirSync(signinDir(home))) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    const file = join(signinDir(home), name);
    try {
      const { expiresAt } = JSON.parse(readFileSync(file, 'utf8')) as { expiresAt: number };
      if (!(expiresAt > now)) unlinkSync(file);
    } catch {
      // A file being spent right now, or one we cannot read: leave it.
    }
  }
}
