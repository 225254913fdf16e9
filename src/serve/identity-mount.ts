import { isLoopback } from '../gateway/guards.js';
import type { MountFactory } from '../gateway/mount.js';
import { gatewayIdentity, IDENTITY_PATH } from '../runtime/gateway-identity.js';

/** Serves this gateway's pid and home at IDENTITY_PATH, to loopback callers only; 404 to anyone else. */
export function identityMount(): MountFactory {
  return (host) => ({
    prefix: IDENTITY_PATH,
    handle: async (req, res) => {
      req.resume();
      const local = isLoopback(req.socket.remoteAddress ?? '');
      const body = local && host.home && req.method === 'GET' ? gatewayIdentity(host.home) : null;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: { code: 'not_found', message: 'not found' } }));
    },
    close: () => {},
  });
}
