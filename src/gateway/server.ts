import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Broker } from '../broker/broker.js';
import type { LinkedSources } from '../broker/linked.js';
import { createDashboard, type Dashboard, isDashboardPath } from '../dashboard/handler.js';
import { getProvider, resolveBaseUrl } from '../providers/registry.js';
import type { Store } from '../store/types.js';
import { MODEL_ADAPTERS } from './adapters.js';
import { ClientAuth, readClientKey } from './clients.js';
import type { GatewayConfig } from './config.js';
import { Cooldowns } from './cooldowns.js';
import type { DispatchDeps } from './dispatch.js';
import { errorBody } from './error-body.js';
import { EventBuffer } from './event-buffer.js';
import type { ClientFormat } from './formats/ir.js';
import { GatewayMetrics } from './metrics.js';
import { handleModelRequest } from './model-request.js';
import { ProfileDirectory } from './profile-directory.js';
import { chainsOf, ProfilePicker } from './routing.js';
import { closeUpstreamPool } from './upstream-http.js';

const MODEL_ROUTES: Readonly<Record<string, ClientFormat>> = {
  '/v1/chat/completions': 'chat',
  '/v1/responses': 'responses',
  '/v1/messages': 'messages',
};

export interface GatewayOptions {
  store: Store;
  config: GatewayConfig;
  log: Logger;
  linked?: LinkedSources;
  env?: NodeJS.ProcessEnv;
  /** The clawkeep home (dashboard sign-in links, backups); default $CLAWKEEP_HOME or ~/.clawkeep. */
  home?: string;
}

export interface RunningGateway {
  url: string;
  server: Server;
  metrics: GatewayMetrics;
  cooldowns: Cooldowns;
  /** The web dashboard at /ui. */
  dashboard: Dashboard;
  /** Writes buffered events now (tests, shutdown). */
  flushEvents(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish within `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Starts the HTTP gateway on the configured host and port (loopback by default). */
export async function startGateway(o: GatewayOptions): Promise<RunningGateway> {
  const env = o.env ?? process.env;
  const broker = new Broker({ store: o.store, env, ...(o.linked ? { linked: o.linked } : {}) });
  const metrics = new GatewayMetrics();
  const cooldowns = new Cooldowns();
  const profiles = new ProfileDirectory(o.store);
  let auth = new ClientAuth(o.store);
  const baseUrls = new Map<string, string | null>();
  const events = new EventBuffer(o.store, o.log);
  const deps: DispatchDeps = {
    broker,
    store: o.store,
    events,
    config: o.config,
    cooldowns,
    picker: new ProfilePicker(),
    profiles,
    metrics,
    log: o.log,
    adapters: MODEL_ADAPTERS,
    baseUrl: (provider) => {
      let url = baseUrls.get(provider);
      if (url === undefined) {
        url = o.config.providers[provider]?.baseUrl ?? resolveBaseUrl(getProvider(provider), env);
        baseUrls.set(provider, url);
      }
      return url;
    },
  };
  let url = '';
  // A revoked key must stop working at once: the dashboard drops every cached key on revoke.
  const dashboard = createDashboard({ ...o, env, cooldowns, gatewayUrl: () => url, onClientRevoked });
  function onClientRevoked() {
    auth = new ClientAuth(o.store);
  }
  let inFlight = 0;
  let draining: (() => void) | null = null;

  const server = createServer((req, res) => {
    inFlight++;
    metrics.inFlight.inc();
    res.on('close', () => {
      inFlight--;
      metrics.inFlight.dec();
      if (inFlight === 0) draining?.();
    });
    route(req, res).catch((err: Error) => {
      o.log.error({ err: err.message }, 'unhandled request error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end();
    });
  });
  server.keepAliveTimeout = 65_000;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true });
    if (req.method === 'GET' && path === '/readyz') return readyz(res);
    if (isDashboardPath(path)) return dashboard.handle(req, res);
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return;
    }
    const format = MODEL_ROUTES[path];
    const isModels = path === '/v1/models';
    if (!format && !isModels)
      return sendError(res, 'openai', 404, 'not_found', `no route ${req.method} ${path}`);
    const client = await auth.authenticate(readClientKey(req.headers));
    if (!client) {
      req.resume();
      return sendError(
        res,
        format ?? 'openai',
        401,
        'invalid_client_key',
        'missing or wrong clawkeep client key: send "Authorization: Bearer <key>" or "x-api-key: <key>" (create one with: clawkeep clients add NAME)',
      );
    }
    if (isModels) {
      if (req.method !== 'GET')
        return sendError(res, 'openai', 405, 'method_not_allowed', 'use GET /v1/models');
      return sendJson(res, 200, listModels(o.config));
    }
    if (req.method !== 'POST') return sendError(res, format!, 405, 'method_not_allowed', `use POST ${path}`);
    await handleModelRequest(format!, req, res, client, deps);
  }

  async function readyz(res: ServerResponse): Promise<void> {
    try {
      const all = await profiles.all();
      const usable = all.filter((p) => p.status === 'ok').length;
      sendJson(res, usable > 0 ? 200 : 503, {
        ready: usable > 0,
        store: 'ok',
        usableProfiles: usable,
        profiles: all.length,
      });
    } catch (err) {
      sendJson(res, 503, { ready: false, store: (err as Error).message });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.config.gateway.port, o.config.gateway.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  url = `http://${host}:${addr.port}`;
  return {
    url,
    server,
    metrics,
    cooldowns,
    dashboard,
    flushEvents: () => events.flush(),
    async close(graceMs = o.config.gateway.shutdownGraceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      dashboard.close();
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            draining = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
      await events.flush();
      await closeUpstreamPool();
    },
  };
}

function listModels(config: GatewayConfig) {
  const chains = chainsOf(config);
  const ids = new Set<string>();
  for (const [name, targets] of Object.entries(chains)) {
    ids.add(`chain:${name}`);
    for (const t of targets) ids.add(typeof t === 'string' ? t : t.target);
  }
  return {
    object: 'list',
    data: [...ids].map((id) => ({ id, object: 'model', created: 0, owned_by: 'clawkeep' })),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  format: ClientFormat | 'openai',
  status: number,
  code: string,
  message: string,
): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(errorBody(format, status, code, message));
}
