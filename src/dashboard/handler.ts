import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClawkeepError } from '../errors.js';
import type { MountFactory } from '../gateway/mount.js';
import { createLinkedSources } from '../linked/index.js';
import { resolveHome } from '../store/home.js';
import { API_ROUTES, type ApiContext, type DashboardDeps } from './api.js';
import { lastSeq } from './events-read.js';
import { messagePage, readJsonBody, SECURITY_HEADERS, sendApiError, sendHtml, sendJson } from './http.js';
import { WebLogins } from './logins.js';
import { remoteRefusal } from './remote.js';
import {
  csrfMatches,
  readCookie,
  SESSION_COOKIE,
  type Session,
  Sessions,
  sessionCookie,
} from './sessions.js';
import { consumeSignInToken, mintSignInToken } from './signin.js';
import { RouteProbe } from './try-route.js';

export type { DashboardDeps } from './api.js';

const ASSETS: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export interface Dashboard {
  /** Serves `/ui` and everything under it; the gateway sends those paths here. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** A one-time sign-in link (valid 5 minutes, spent by its first use). */
  mintSignInUrl(): string;
  /** Ends live event streams (gateway shutdown). */
  close(): void;
}

/** The dashboard as the gateway serves it, at /ui (the composition root passes it to `startGateway`). */
export function dashboardMount(onCreated?: (d: Dashboard) => void): MountFactory {
  return (host) => {
    const dashboard = createDashboard(host);
    onCreated?.(dashboard);
    return { prefix: '/ui', handle: dashboard.handle, close: dashboard.close };
  };
}

/** The web dashboard: a session-guarded page, its assets, a JSON API and a live event stream. */
export function createDashboard(
  options: Omit<DashboardDeps, 'home'> & { home?: string | undefined },
): Dashboard {
  const deps: DashboardDeps = {
    ...options,
    home: options.home ?? resolveHome(undefined, options.env),
    // A login saved here is written back to the profile's linked sources, as `models auth login` does.
    linked: options.linked ?? createLinkedSources(options.store),
  };
  const sessions = new Sessions();
  const logins = new WebLogins(deps);
  const probe = new RouteProbe();
  const startedAt = Date.now();
  const streams = new Set<ServerResponse>();
  const assetDir = new URL('./assets/', import.meta.url);
  const asset = (name: string) => readFileSync(new URL(name, assetDir), 'utf8');

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const refusal = remoteRefusal(deps.config.gateway.host, deps.env);
    if (refusal) {
      req.resume();
      return sendHtml(res, 403, messagePage('Dashboard refused', refusal.message));
    }
    if (path === '/ui/signin') return signIn(req, res, url);
    const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
    const session = sessions.get(sid);
    if (!session) {
      req.resume();
      if (path.startsWith('/ui/api/'))
        return sendJson(res, 401, {
          error: {
            code: 'dashboard_unauthorized',
            message: 'no dashboard session: open the sign-in link that `clawkeep dashboard` prints',
          },
        });
      return sendHtml(
        res,
        401,
        messagePage(
          'Sign in to clawkeep',
          'Run `clawkeep dashboard` on the gateway host and open the one-time link it prints.',
        ),
      );
    }
    if (req.method === 'GET' && (path === '/ui' || path === '/ui/')) {
      return sendHtml(res, 200, asset('index.html').replace('__CSRF__', session.csrf));
    }
    if (req.method === 'GET' && path.startsWith('/ui/assets/')) {
      const name = path.slice('/ui/assets/'.length);
      const type = ASSETS[name];
      if (!type) return sendJson(res, 404, { error: { code: 'not_found', message: `no asset ${name}` } });
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type });
      res.end(asset(name));
      return;
    }
    if (path.startsWith('/ui/api/')) return api(req, res, url, session, sid);
    req.resume();
    sendJson(res, 404, { error: { code: 'not_found', message: `no dashboard route ${req.method} ${path}` } });
  }

  function signIn(req: IncomingMessage, res: ServerResponse, url: URL): void {
    req.resume();
    const token = url.searchParams.get('token') ?? '';
    if (req.method !== 'GET' || !consumeSignInToken(deps.home, token)) {
      sendHtml(
        res,
        401,
        messagePage(
          'Sign-in link not valid',
          'This sign-in link is unknown, already used or expired (links work once, for 5 minutes). Run `clawkeep dashboard` for a new one.',
        ),
      );
      return;
    }
    const { id } = sessions.open();
    res.writeHead(303, {
      ...SECURITY_HEADERS,
      location: '/ui/',
      'set-cookie': sessionCookie(id, false),
    });
    res.end();
  }

  async function api(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    session: Session,
    sid: string | null,
  ): Promise<void> {
    const sub = url.pathname.slice('/ui/api'.length);
    try {
      if (req.method !== 'GET') {
        if (!csrfMatches(session, req.headers['x-csrf-token'])) {
          req.resume();
          return sendJson(res, 403, {
            error: { code: 'csrf_invalid', message: 'missing or wrong x-csrf-token header; reload the page' },
          });
        }
      }
      if (req.method === 'GET' && sub === '/events/stream') return streamEvents(req, res);
      if (req.method === 'POST' && sub === '/signout') {
        req.resume();
        sessions.close(sid);
        return sendJson(res, 200, { signedOut: true });
      }
      for (const r of API_ROUTES) {
        const m = r.path.exec(sub);
        if (!m || r.method !== req.method) continue;
        const body = req.method === 'POST' ? await readJsonBody(req) : {};
        const ctx: ApiContext = {
          deps,
          logins,
          probe,
          params: m.slice(1),
          query: url.searchParams,
          body,
          startedAt,
        };
        return sendJson(res, 200, await r.handle(ctx));
      }
      req.resume();
      throw new ClawkeepError('usage', `no dashboard API ${req.method} ${url.pathname}`);
    } catch (err) {
      sendApiError(res, err);
    }
  }

  /** New store events as SSE (`event: store-event`), polled from the store so every writer's events show. */
  async function streamEvents(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let after = await lastSeq(deps.store);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    res.write(': connected\n\n');
    streams.add(res);
    let beat = 0;
    const timer = setInterval(() => {
      void deps.store
        .listEvents({ afterSeq: after, limit: 500 })
        .then((list) => {
          for (const e of list) {
            res.write(`event: store-event\nid: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`);
            after = e.seq;
          }
          if (++beat % 30 === 0) res.write(': keep-alive\n\n');
        })
        .catch((err: Error) =>
          deps.log.warn({ err: err.message }, 'dashboard event stream could not read events'),
        );
    }, 500);
    const stop = () => {
      clearInterval(timer);
      streams.delete(res);
    };
    req.on('close', stop);
    res.on('close', stop);
  }

  return {
    handle,
    mintSignInUrl: () => `${deps.gatewayUrl()}/ui/signin?token=${mintSignInToken(deps.home)}`,
    close() {
      for (const s of streams) s.end();
      streams.clear();
    },
  };
}
