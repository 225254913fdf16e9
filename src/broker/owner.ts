import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { readEnvVar } from '../config/env.js';
import { isPidAlive } from '../util/pid.js';

/**
 * Where a pid means something: one running kernel (boot id) and one pid namespace. Two containers
 * sharing a volume and a hostname differ here, so neither judges the other's pids. `CLAWKEEP_HOST_ID`
 * overrides it (e.g. where /proc is not readable).
 */
export function hostIdentity(env: NodeJS.ProcessEnv = process.env, read = readProc): string {
  const configured = readEnvVar('CLAWKEEP_HOST_ID', env);
  if (configured) return configured;
  const parts = [read('boot_id'), read('pidns'), read('machine_id')].filter((p) => p !== null);
  // Without any of them nothing tells two hosts apart: a random id makes every other owner "elsewhere".
  const seed = parts.length > 0 ? parts.join('|') : `random:${randomBytes(16).toString('hex')}`;
  return createHash('sha256').update(seed).digest('hex').slice(0, 16);
}

function readProc(what: 'boot_id' | 'pidns' | 'machine_id'): string | null {
  try {
    if (what === 'boot_id') return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    if (what === 'pidns') return readlinkSync('/proc/self/ns/pid');
    return readFileSync('/etc/machine-id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

// `/` separates the parts of an owner id, so it never appears inside one.
const HOST = `${hostname()}~${hostIdentity()}`.replaceAll('/', '_');

/** A lease owner id: `hostname~hostid/pid/nonce`, unique per broker instance. */
export function makeOwnerId(): string {
  return `${HOST}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/**
 * True only when the owner is certainly dead: it ran in this kernel boot and pid namespace
 * (same host id, not merely the same hostname) and its pid is gone. Owners elsewhere, and owners
 * written by older clawkeep versions (hostname only), are judged by their lease expiry alone.
 */
export function isOwnerDead(owner: string, host = HOST, pidAlive = isPidAlive): boolean {
  const [ownerHost, pidText] = owner.split('/');
  const pid = Number(pidText);
  if (ownerHost !== host || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  return !pidAlive(pid);
}
