import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/dashboard/api.js';
import { mintSignInToken } from '../../src/dashboard/signin.js';
import { createClient } from '../../src/gateway/clients.js';
import { openStore } from '../../src/store/open-store.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** One concrete request per API route (and the extra endpoints); the test fails if a route has none. */
const GETS = [
  '/ui/api/overview',
  '/ui/api/profiles',
  '/ui/api/logins/nope',
  '/ui/api/clients',
  '/ui/api/routing',
  '/ui/api/events',
  '/ui/api/events/stream',
  '/ui/api/doctor',
];
const POSTS: Array<[string, Record<string, unknown>]> = [
  ['/ui/api/profiles/keys', { provider: 'openai', name: 'csrf', key: 'sk-emu-should-not-be-stored' }],
  ['/ui/api/profiles/openai:key/enable', {}],
  ['/ui/api/profiles/openai:key/disable', {}],
  ['/ui/api/profiles/openai:key/remove', {}],
  ['/ui/api/logins', { provider: 'openai-codex', name: 'x', mode: 'device' }],
  ['/ui/api/logins/nope/paste', { value: 'code' }],
  ['/ui/api/clients', { name: 'sneaky' }],
  ['/ui/api/clients/test-agent/revoke', {}],
  ['/ui/api/routing/try', { chain: 'main' }],
  ['/ui/api/doctor/preview', {}],
  ['/ui/api/doctor/apply', {}],
  ['/ui/api/signout', {}],
];

describe('dashboard API guard', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function signIn(): Promise<{ cookie: string; csrf: string }> {
    const res = await fetch(`${t.gateway.url}/ui/signin?token=${mintSignInToken(t.home)}`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!.split(';', 1)[0]!;
    const page = await (await fetch(`${t.gateway.url}/ui/`, { headers: { cookie } })).text();
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)![1]!;
    return { cookie, csrf };
  }

  async function unchanged() {
    expect((await t.store.getProfile('openai:key'))?.status).toBe('ok');
    expect((await t.store.getProfile('openai:csrf')) ?? null).toBeNull();
    expect((await t.store.listClients()).map((c) => c.name).sort()).toEqual(['test-agent']);
  }

  it('has an example request for every API route', () => {
    const paths = [...GETS.map((p) => ['GET', p]), ...POSTS.map(([p]) => ['POST', p])];
    for (const r of API_ROUTES) {
      const covered = paths.some(([m, p]) => m === r.method && r.path.test(p!.slice('/ui/api'.length)));
      expect(covered, `no example for ${r.method} ${r.path}`).toBe(true);
    }
  });

  it('answers no page, asset or API call without a session', async () => {
    for (const path of ['/ui', '/ui/', '/ui/assets/app.js', '/ui/assets/app.css', ...GETS]) {
      const res = await fetch(`${t.gateway.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.text()).not.toMatch(/csrf-token|EventSource/);
    }
    for (const [path, body] of POSTS) {
      const res = await fetch(`${t.gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: 'clawkeep_ui=forged' },
        body: JSON.stringify(body),
      });
      expect(res.status, path).toBe(401);
    }
    // A client key is not an admin session.
    const res = await fetch(`${t.gateway.url}/ui/api/overview`, {
      headers: { authorization: `Bearer ${t.key}` },
    });
    expect(res.status).toBe(401);
    await unchanged();
  });

  it('refuses every state-changing call without the session CSRF token', async () => {
    const { cookie, csrf } = await signIn();
    const variants: Record<string, string>[] = [
      {},
      { 'x-csrf-token': 'wrong' },
      { 'x-csrf-token': `${csrf}x` },
    ];
    for (const headers of variants) {
      for (const [path, body] of POSTS) {
        const res = await fetch(`${t.gateway.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, ...headers },
          body: JSON.stringify(body),
        });
        expect(res.status, path).toBe(403);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('csrf_invalid');
      }
    }
    await unchanged();
    // The same session with its token may act (so the refusals above were the guard, not a broken API).
    const ok = await fetch(`${t.gateway.url}/ui/api/profiles/openai:key/disable`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: '{}',
    });
    expect(ok.status).toBe(200);
    expect((await t.store.getProfile('openai:key'))?.status).toBe('disabled');
    await t.store.setStatus('openai:key', 'ok', Date.now());
  });

  it('sign-in links work once and expire; a signed-out session is refused', async () => {
    const token = mintSignInToken(t.home);
    const first = await fetch(`${t.gateway.url}/ui/signin?token=${token}`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const again = await fetch(`${t.gateway.url}/ui/signin?token=${token}`, { redirect: 'manual' });
    expect(again.status).toBe(401);
    const old = mintSignInToken(t.home, Date.now() - 6 * 60_000);
    expect((await fetch(`${t.gateway.url}/ui/signin?token=${old}`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${t.gateway.url}/ui/signin?token=made-up-token-0000000`)).status).toBe(401);

    const { cookie, csrf } = await signIn();
    const out = await fetch(`${t.gateway.url}/ui/api/signout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: '{}',
    });
    expect(out.status).toBe(200);
    expect((await fetch(`${t.gateway.url}/ui/api/overview`, { headers: { cookie } })).status).toBe(401);
  });

  it('a key revoked through the API is refused by the running gateway at once', async () => {
    const { cookie, csrf } = await signIn();
    const post = (path: string, body: unknown) =>
      fetch(`${t.gateway.url}/ui/api${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      });
    const created = (await (await post('/clients', { name: 'api-agent' })).json()) as { key: string };
    const models = () =>
      fetch(`${t.gateway.url}/v1/models`, { headers: { authorization: `Bearer ${created.key}` } }).then(
        (r) => r.status,
      );
    expect(await models()).toBe(200);
    expect(await models()).toBe(200);
    expect((await post('/clients/api-agent/revoke', {})).status).toBe(200);
    expect(await models()).toBe(401);
  });

  it('"try route" reports the path, and makes a new probe key when its own was revoked elsewhere', async () => {
    const { cookie, csrf } = await signIn();
    const tryRoute = async () => {
      const res = await fetch(`${t.gateway.url}/ui/api/routing/try`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({ chain: 'claude-key' }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await tryRoute()).toMatchObject({
      chain: 'claude-key',
      status: 200,
      target: 'anthropic/claude-sonnet-4-5',
      profile: 'anthropic:key',
      fallback: null,
    });
    // As `clawkeep clients rm clawkeep-dashboard` in another process: another connection to the store.
    // The gateway hears of it by the store's change signal; a listener subscribed after the gateway's
    // is called after it, so once it has heard of a change, so has the gateway.
    const heard = () =>
      new Promise<void>((resolve) => {
        const stop = t.store.watchChanges!((c) => {
          if (c.scope !== 'clients') return;
          stop();
          resolve();
        });
      });
    const other = openStore({ home: t.home }).store;
    try {
      // The signal compares with what the gateway's connection last saw committed elsewhere, and its own
      // writes (the probe key made just now) are not signalled: a first change from the other connection
      // brings that view up to date, so the removal is then a change of its own.
      let change = heard();
      await createClient(other, 'view-sync', null);
      await change;
      change = heard();
      expect(await other.removeClient('clawkeep-dashboard', Date.now())).not.toBeNull();
      await change;
      await other.removeClient('view-sync', Date.now());
    } finally {
      await other.close();
    }
    expect(await tryRoute()).toMatchObject({ status: 200, profile: 'anthropic:key' });
    expect((await t.store.listClients()).filter((c) => c.name === 'clawkeep-dashboard')).toHaveLength(1);
  });

  it('keeps the CLI rules: a needs_reauth profile is not simply enabled; remove writes a 0600 backup first', async () => {
    const { cookie, csrf } = await signIn();
    const post = (path: string) =>
      fetch(`${t.gateway.url}/ui/api${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: '{}',
      });
    const codex = (await t.store.getProfile('openai-codex:default'))!;
    await t.store.markNeedsReauth(codex.id, codex.refresh, 'refresh_token_reused', Date.now());
    const enable = await post('/profiles/openai-codex:default/enable');
    expect(enable.status).toBe(400);
    expect(((await enable.json()) as { error: { message: string } }).error.message).toMatch(
      /needs re-authentication/,
    );
    expect((await t.store.getProfile(codex.id))?.status).toBe('needs_reauth');

    const removed = await post('/profiles/openai-codex:default/remove');
    expect(removed.status).toBe(200);
    const { backup } = (await removed.json()) as { backup: string };
    expect(backup.startsWith(join(t.home, 'backups'))).toBe(true);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(backup, 'utf8'))).toMatchObject({ id: codex.id, refresh: codex.refresh });
    expect(await t.store.getProfile(codex.id)).toBeNull();
    expect((await post('/profiles/openai-codex:default/remove')).status).toBe(404);
  });

  it('streams new events over SSE, with fingerprints and never a token', async () => {
    const { cookie, csrf } = await signIn();
    const ctrl = new AbortController();
    const res = await fetch(`${t.gateway.url}/ui/api/events/stream`, {
      headers: { cookie },
      signal: ctrl.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const read = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const post = (path: string, body: unknown) =>
      fetch(`${t.gateway.url}/ui/api${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify(body),
      });
    expect(
      (await post('/profiles/keys', { provider: 'openai', name: 'streamed', key: 'sk-emu-streamed-key-42' }))
        .status,
    ).toBe(200);
    expect((await post('/routing/try', { chain: 'openai' })).status).toBe(200);
    const deadline = Date.now() + 5000;
    while (!/"kind":"created"/.test(text) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    ctrl.abort();
    await read;
    expect(text).toMatch(
      /event: store-event\nid: \d+\ndata: \{.*"profileId":"openai:streamed","kind":"created"/,
    );
    for (const s of [...t.secrets, 'sk-emu-streamed-key-42']) expect(text.includes(s)).toBe(false);
  });
});

describe('dashboard on a non-loopback address', () => {
  it('refuses to serve without the insecure-remote acknowledgement', async () => {
    const t = await startTestGateway({ gateway: { host: '0.0.0.0', port: 0, logLevel: 'silent' } });
    try {
      const port = new URL(t.gateway.url).port;
      const res = await fetch(`http://127.0.0.1:${port}/ui/signin?token=${mintSignInToken(t.home)}`, {
        redirect: 'manual',
      });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/--insecure-remote/);
    } finally {
      await t.close();
    }
  });
});
