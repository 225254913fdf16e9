import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

const HOST = hostname();

/** A lease owner id: `host/pid/nonce`, unique per broker instance. */
export function makeOwnerId(): string {
  return `${HOST}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/**
 * True only when the owner is certainly dead: it ran on this host and its pid is gone.
 * Owners on other hosts are judged by their lease expiry alone.
 */
export function isOwnerDead(owner: string): boolean {
  const [host, pidText] = owner.split('/');
  const pid = Number(pidText);
  if (host !== HOST || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
