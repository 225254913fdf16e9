import { isIP } from 'node:net';
import { readEnvVar } from '../config/env.js';
import { ClawkeepError } from '../errors.js';

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '::ffff:127.0.0.1';
}

export const INSECURE_REMOTE_ENV = 'CLAWKEEP_DASHBOARD_INSECURE_REMOTE' as const;

/**
 * Null when the dashboard may be served on `host`; otherwise the refusal. The gateway speaks plain
 * HTTP, so on a reachable address the session cookie would cross the network in clear unless a TLS
 * proxy fronts it, which only the operator can vouch for (`--insecure-remote`).
 */
export function remoteRefusal(host: string, env: NodeJS.ProcessEnv): ClawkeepError | null {
  if (isLoopbackHost(host) || readEnvVar(INSECURE_REMOTE_ENV, env) === '1') return null;
  return new ClawkeepError(
    'usage',
    `the gateway is bound to ${host}, which other machines can reach, and serves plain HTTP: the dashboard refuses to run there. Bind gateway.host to 127.0.0.1 and reach it through an SSH tunnel (ssh -L 18790:127.0.0.1:18790 host), or put a TLS proxy in front and acknowledge with clawkeep dashboard --insecure-remote (${INSECURE_REMOTE_ENV}=1 for the gateway)`,
    { details: { host } },
  );
}
