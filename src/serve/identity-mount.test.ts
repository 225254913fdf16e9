import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { MountHost } from '../gateway/mount.js';
import { identityMount } from './identity-mount.js';

async function ask(remoteAddress: string, method = 'GET') {
  const mount = identityMount()({ home: '/srv/clawkeep-a' } as MountHost);
  const req = { method, socket: { remoteAddress }, resume: () => {} } as unknown as IncomingMessage;
  let status = 0;
  let body = '';
  const res = {
    writeHead: (s: number) => {
      status = s;
    },
    end: (b: string) => {
      body = b;
    },
  } as unknown as ServerResponse;
  await mount.handle(req, res);
  return { status, body: JSON.parse(body) as Record<string, unknown> };
}

describe('identityMount', () => {
  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1'])(
    'tells a loopback caller (%s) its pid and home',
    async (addr) => {
      expect(await ask(addr)).toEqual({
        status: 200,
        body: { service: 'clawkeep-gateway', pid: process.pid, home: '/srv/clawkeep-a' },
      });
    },
  );

  it.each(['192.0.2.7', '::ffff:10.0.0.3', ''])('tells anyone else (%j) nothing', async (addr) => {
    const r = await ask(addr);
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toContain('/srv/clawkeep-a');
  });

  it('answers GET only', async () => {
    expect((await ask('127.0.0.1', 'POST')).status).toBe(404);
  });
});
