/**
 * Where a running gateway says whose it is, so a command that finds its port taken can name that
 * gateway's home and the command that stops it. Answered to loopback callers only: a local user can
 * read the process's command line anyway; a remote one learns nothing.
 */
export const IDENTITY_PATH = '/_clawkeep/gateway';

export interface GatewayIdentity {
  service: 'clawkeep-gateway';
  pid: number;
  /** The absolute home the gateway runs on. */
  home: string;
}

export function gatewayIdentity(home: string, pid = process.pid): GatewayIdentity {
  return { service: 'clawkeep-gateway', pid, home };
}

/**
 * Asks whatever listens on `host:port` whether it is a clawkeep gateway, and of which home. Null when
 * it is not, or does not answer within `timeoutMs`.
 */
export async function probeGatewayIdentity(
  host: string,
  port: number,
  timeoutMs = 1000,
): Promise<GatewayIdentity | null> {
  const url = `http://${urlHost(host)}:${port}${IDENTITY_PATH}`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const body = (await res.json()) as Partial<GatewayIdentity>;
    if (body.service !== 'clawkeep-gateway' || !Number.isInteger(body.pid) || typeof body.home !== 'string')
      return null;
    return { service: body.service, pid: body.pid!, home: body.home };
  } catch {
    return null;
  }
}

// A wildcard bind is reached on loopback; an IPv6 literal goes in brackets.
function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
