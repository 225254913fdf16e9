import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Broker } from '../broker/broker.js';
import type { LinkedSources } from '../broker/linked.js';
import type { GatewayConfig } from '../config/schema.js';
import { ClawkeepError, isClawkeepError } from '../errors.js';
import { getProvider, resolveBaseUrl } from '../providers/registry.js';
import { mayServe } from '../providers/serving-policy.js';
import { readDescriptorLimit } from '../runtime/descriptor-limit.js';
import type { ClientRecord, Store } from '../store/types.js';
import { invokedAs } from '../util/invoked-as.js';
import { MODEL_ADAPTERS } from './adapters.js';
import { announceLoginLost } from './announce.js';
import { expandCandidates } from './candidates.js';
import { type ClientFormatDescriptor, formatForPath, MESSAGES, RESPONSES } from './client-formats.js';
import { ClientAuth } from './clients.js';
import { ConnectionCap, sizeConnections } from './connection-cap.js';
import { Cooldowns } from './cooldowns.js';
import { countTokens } from './count-tokens.js';
import type { GatewayDeps } from './deps.js';
import { EventBuffer } from './event-buffer.js';
import { ClientConcurrency, hostAllowed, isLoopback } from './guards.js';
import { KeepAlive } from './keepalive.js';
import { MetricLabels } from './labels.js';
import { GatewayMetrics } from './metrics.js';
import { handleModelRequest } from './model-request.js';
import { anthropicModelList, listModelIds, openaiModelList } from './models-list.js';
import { findMount, type Mount, type MountFactory, type MountHost } from './mount.js';
import { ProfileDirectory } from './profile-directory.js';
import { QuotaBook } from './quota/book.js';
import { announceQuotaCrossing } from './quota/observe.js';
import { UsagePoller } from './quota/usage-poll.js';
import { CODEX_USAGE_PATHS, serveCodexUsage } from './quota/usage-route.js';
import { readJsonBody } from './request-body.js';
import { ProfilePicker, resolveRoute } from './routing.js';
import { reportStoreHealth } from './store-health.js';
import { closeUpstreamPool, sizeUpstreamPool } from './upstream-http.js';
import { UsageMeter } from './usage/usage-meter.js';

const COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

export interface GatewayOptions {
  store: Store;
  config: GatewayConfig;
  log: Logger;
  linked?: LinkedSources;
  env?: NodeJS.ProcessEnv;
  /** The clawkeep home (dashboard sign-in links, backups); default $CLAWKEEP_HOME or ~/.clawkeep. */
  home?: string;
  /** Apps served under a path prefix (the dashboard at /ui), wired in by the composition root. */
  mounts?: readonly MountFactory[];
}

export interface RunningGateway {
  url: string;
  server: Server;
  metrics: GatewayMetrics;
  cooldowns: Cooldowns;
  /** The apps served under path prefixes (the dashboard at /ui). */
  mounts: readonly Mount[];
  /** Writes buffered events now (tests, shutdown). */
  /** Each login's last quota reading. */
  quotas: QuotaBook;
  /** Refreshes idle logins (tests run a pass with `runOnce`). */
  keepAlive: KeepAlive;
  /** Writes buffered events, quota readings and usage now (tests, shutdown). */
  flushEvents(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish within `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

/** Starts the HTTP gateway on the configured host and port (loopback by default). */
export async function startGateway(o: GatewayOptions): Promise<RunningGateway> {
  const env = o.env ?? process.env;
  const gw = o.config.gateway;
  if (!isLoopback(gw.host) && (await o.store.listClients()).length === 0) {
    throw new ClawkeepError(
      'config_invalid',
      `gateway.host ${gw.host} is reachable from other machines and there is no client key yet`,
      { hint: `create one first (${invokedAs()} clients add NAME), or bind to 127.0.0.1 with --host` },
    );
  }
  const concurrency = new ClientConcurrency(gw.maxConcurrentPerClient);
  const broker = new Broker({ store: o.store, env, ...(o.linked ? { linked: o.linked } : {}) });
  const metrics = new GatewayMetrics();
  const unreportStore = reportStoreHealth({ log: o.log, metrics });
  const cooldowns = new Cooldowns();
  const profiles = new ProfileDirectory(o.store, undefined, (p) =>
    announceLoginLost(p, { log: o.log, metrics, config: o.config }),
  );
  let auth = new ClientAuth(o.store);
  // The store's change signal: a profile enabled, disabled, removed or logged in again, or a client key
  // revoked by any process, takes effect on the next request instead of after a cache's lifetime.
  const unwatch = o.store.watchChanges?.((c) => {
    if (c.scope === 'clients' || c.profileId === null) auth = new ClientAuth(o.store);
    if (c.scope !== 'clients') void profiles.refresh();
  });
  const baseUrls = new Map<string, string | null>();
  const events = new EventBuffer(o.store, o.log);
  const quotas = new QuotaBook({
    store: o.store,
    log: o.log,
    onCrossing: (c) => announceQuotaCrossing(c, { events, log: o.log, metrics, config: o.config }),
  });
  await quotas.load();
  for (const [profile, r] of quotas.entries())
    for (const w of r.windows) metrics.quotaUsed.set({ profile, window: w.name }, w.usedRatio);
  const usage = new UsageMeter({ store: o.store, log: o.log, metrics });
  const deps: GatewayDeps = {
    broker,
    store: o.store,
    events,
    config: o.config,
    cooldowns,
    picker: new ProfilePicker(quotas),
    profiles,
    metrics,
    labels: new MetricLabels(o.config),
    log: o.log,
    quotas,
    usage,
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
  const mountHost: MountHost = { ...o, env, cooldowns, gatewayUrl: () => url, onClientRevoked };
  const mounts = (o.mounts ?? []).map((build) => build(mountHost));
  function onClientRevoked() {
    auth = new ClientAuth(o.store);
  }
  const keepAlive = new KeepAlive({
    broker,
    listProfiles: () => o.store.listProfiles(),
    events,
    log: o.log,
    idleMs: gw.keepAliveIdleHours * 3_600_000,
  });
  const usagePoll = UsagePoller.forGateway(deps);
  let inFlight = 0;
  let draining: (() => void) | null = null;

  // The cap fits the descriptor limit Node raised to the hard one at start, so accept() never meets
  // EMFILE (libuv then accepts and drops every pending socket, keyed clients' too).
  const descriptors = readDescriptorLimit();
  if (descriptors && descriptors.soft < descriptors.hard)
    o.log.warn(descriptors, 'the soft descriptor limit is below the hard one: connections are capped lower');
  const budget = sizeConnections(descriptors?.soft ?? null, gw.maxConnections);
  sizeUpstreamPool(budget.upstreamPerOrigin);
  const connections = new ConnectionCap({
    max: budget.clients,
    onShed: (reason) => metrics.connectionsShed.inc({ reason }),
  });
  metrics.readConnectionsFrom(() => connections.counts());
  metrics.connectionsMax.set(budget.clients);
  if (descriptors && Number.isFinite(descriptors.soft)) metrics.descriptorLimit.set(descriptors.soft);
  o.log.info({ descriptors: descriptors?.soft ?? null, maxConnections: budget.clients }, 'connection cap');

  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    inFlight++;
    metrics.inFlight.inc();
    connections.requestStarted(req.socket);
    res.on('close', () => {
      connections.requestEnded(req.socket);
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
  // Sockets kept alive between requests count in the cap and are closed second under pressure.
  server.keepAliveTimeout = gw.httpKeepAliveTimeoutMs;
  // An idle-socket flood must not starve keyed requests: sockets that send no request headers in
  // time are closed, and at the connection cap the oldest of them makes room for a new socket.
  server.headersTimeout = gw.headersTimeoutMs;
  server.requestTimeout = 300_000;
  // Node's own header check runs once a second (it may answer an idle socket 408 first); this timer
  // closes a socket that sends nothing at exactly headersTimeoutMs, whatever the loop's delay.
  server.on('connection', (socket) => {
    if (!connections.admit(socket)) return;
    const idle = setTimeout(() => socket.destroy(), gw.headersTimeoutMs);
    idle.unref();
    socket.once('data', () => clearTimeout(idle));
    socket.once('close', () => clearTimeout(idle));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (!hostAllowed(req.headers.host, gw.host, gw.allowedHosts)) {
      req.resume();
      return sendError(
        req,
        res,
        RESPONSES,
        421,
        'host_not_allowed',
        'this Host is not served here; add it to gateway.allowedHosts',
      );
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/')
      return sendJson(res, 200, { ok: true });
    if (req.method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true });
    if (req.method === 'GET' && (path === '/readyz' || path === '/metrics') && !(await mayReadStatus(req))) {
      return sendError(
        req,
        res,
        RESPONSES,
        401,
        'invalid_client_key',
        'off loopback, /metrics and /readyz need a client key or gateway.metricsToken',
      );
    }
    if (req.method === 'GET' && path === '/readyz') return readyz(res);
    const mount = findMount(mounts, path);
    if (mount) return mount.handle(req, res);
    if (CODEX_USAGE_PATHS.has(path))
      return serveCodexUsage(req, res, { deps, authenticate: (k) => auth.authenticate(k) });
    if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return;
    }
    const isModels = path === '/v1/models';
    const isCount = path === COUNT_TOKENS_PATH;
    // Anthropic SDKs send anthropic-version on every call: answer them in Anthropic's shape.
    const format =
      formatForPath(path) ??
      (isCount || req.headers['anthropic-version'] !== undefined ? MESSAGES : RESPONSES);
    if (!formatForPath(path) && !isModels && !isCount) {
      req.resume();
      return sendError(req, res, format, 404, 'not_found', `no route ${req.method} ${path}`);
    }
    const client = await auth.authenticate(format.readKey(req.headers));
    if (!client) {
      req.resume();
      return sendError(
        req,
        res,
        format,
        401,
        'invalid_client_key',
        'missing or wrong clawkeep client key: send "Authorization: Bearer <key>" or "x-api-key: <key>" (create one with: clawkeep clients add NAME)',
      );
    }
    if (isModels) {
      if (req.method !== 'GET')
        return sendError(req, res, format, 405, 'method_not_allowed', 'use GET /v1/models');
      return listModels(res, format === MESSAGES, client);
    }
    if (req.method !== 'POST') {
      req.resume();
      return sendError(req, res, format, 405, 'method_not_allowed', `use POST ${path}`);
    }
    if (!concurrency.acquire(client.name)) {
      req.resume();
      res.setHeader('retry-after', '1');
      return sendError(
        req,
        res,
        format,
        429,
        'client_busy',
        `client ${client.name} has ${gw.maxConcurrentPerClient} requests in flight (gateway.maxConcurrentPerClient)`,
      );
    }
    res.on('close', () => concurrency.release(client.name));
    if (isCount) return countTokensRoute(req, res, client);
    await handleModelRequest(format, req, res, client, deps);
  }

  /** Status routes are open on loopback; elsewhere they need a client key or the metrics token. */
  async function mayReadStatus(req: IncomingMessage): Promise<boolean> {
    if (isLoopback(gw.host)) return true;
    const key = RESPONSES.readKey(req.headers);
    if (gw.metricsToken && key === gw.metricsToken) return true;
    return (await auth.authenticate(key)) !== null;
  }

  async function listModels(
    res: ServerResponse,
    anthropicShape: boolean,
    client: ClientRecord,
  ): Promise<void> {
    // The models of providers with a login this client may use (the serving policy).
    const withProfiles = new Set<string>();
    for (const id of MODEL_ADAPTERS.keys()) {
      const usable = (await profiles.forProvider(id)).some((pid) => {
        const p = profiles.get(pid);
        return !p || mayServe(p, client);
      });
      if (usable) withProfiles.add(id);
    }
    const ids = listModelIds(o.config, (p) => withProfiles.has(p));
    sendJson(res, 200, anthropicShape ? anthropicModelList(ids) : openaiModelList(ids));
  }

  async function countTokensRoute(
    req: IncomingMessage,
    res: ServerResponse,
    client: ClientRecord,
  ): Promise<void> {
    try {
      const json = await readJsonBody(req, {
        maxBytes: o.config.gateway.maxBodyBytes,
        maxDepth: o.config.gateway.maxJsonDepth,
      });
      const route = resolveRoute(MESSAGES.readModel(json), client.chain, o.config);
      const { candidates } = await expandCandidates(route, deps, client);
      const answer = await countTokens(json, req.headers, candidates, deps);
      res.writeHead(answer.status, { ...answer.headers, 'x-clawkeep-count': answer.source });
      res.end(answer.body);
    } catch (err) {
      const e = isClawkeepError(err) ? err : null;
      sendError(
        req,
        res,
        MESSAGES,
        e?.status ?? 500,
        e?.code ?? 'internal_error',
        e?.message ?? 'internal error',
      );
    }
  }

  /** Every error the gateway itself answers is logged with its code. */
  function sendError(
    req: IncomingMessage,
    res: ServerResponse,
    format: ClientFormatDescriptor,
    status: number,
    code: string,
    message: string,
  ): void {
    o.log.warn(
      { method: req.method, path: (req.url ?? '/').split('?', 1)[0], status, code },
      'request refused',
    );
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(format.errorBody(status, code, message));
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
  keepAlive.start();
  usagePoll.start();
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  url = `http://${host}:${addr.port}`;
  return {
    url,
    server,
    metrics,
    cooldowns,
    mounts,
    quotas,
    async flushEvents() {
      await Promise.all([quotas.flush(), usage.flush()]);
      await events.flush();
    },
    keepAlive,
    async close(graceMs = o.config.gateway.shutdownGraceMs) {
      unwatch?.();
      unreportStore();
      keepAlive.stop();
      usagePoll.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const m of mounts) m.close();
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
      await Promise.all([quotas.flush(), usage.flush()]);
      await events.flush();
      await closeUpstreamPool();
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
