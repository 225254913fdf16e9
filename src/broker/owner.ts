import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This host's identity in lease owner ids: `$CLAWKEEP_HOST_ID`, else the hostname. On a fleet
 * sharing one PostgreSQL it must differ per host: a pid is only meaningful on its own host.
 */
export function hostIdentity(env: NodeJS.ProcessEnv = process.env): string {
  const id = env.CLAWKEEP_HOST_ID?.trim() || hostname();
  // `/` separates the parts of an owner id.
  return id.replaceAll('/', '_');
}

const HOST = hostIdentity();

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
