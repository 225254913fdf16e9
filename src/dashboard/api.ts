import type { Logger } from 'pino';
import type { LinkedSources } from '../broker/linked.js';
import { refreshAt } from '../broker/window.js';
import { addClient, revokeClient, viewClient } from '../clients/keys.js';
import type { GatewayConfig } from '../config/schema.js';
import { ClawkeepError } from '../errors.js';
import type { Cooldowns } from '../gateway/cooldowns.js';
import { type QuotaView, viewQuotas } from '../gateway/quota/view.js';
import { chainsOf } from '../gateway/routing.js';
import { checkInStep } from '../linked/in-step.js';
import { loginModes, loginProviders } from '../login/index.js';
import { removeProfileWithBackup, saveApiKey, setProfileEnabled } from '../profiles/service.js';
import { describeStatus, type StatusRow } from '../profiles/status.js';
import { listProviders } from '../providers/registry.js';
import type { EventKind, Profile, Store } from '../store/types.js';
import { runDashboardDoctor } from './doctor.js';
import { bucketCounts, latestEvents } from './events-read.js';
import type { WebLogins } from './logins.js';
import { describeRouting } from './routing-view.js';
import { type RouteProbe, tryRoute } from './try-route.js';

/** What the dashboard's API handlers work with: the gateway's own store, config and cooldowns. */
export interface DashboardDeps {
  store: Store;
  config: GatewayConfig;
  /** The clawkeep home: sign-in tokens, backups, the doctor. */
  home: string;
  cooldowns: Cooldowns;
  env: NodeJS.ProcessEnv;
  log: Logger;
  linked?: LinkedSources;
  /** The running gateway's URL ("try this route" goes through it like any agent). */
  gatewayUrl(): string;
  /** Tells the running gateway a client key was revoked, so it refuses it at once. */
  onClientRevoked(): void;
}

export interface ApiContext {
  deps: DashboardDeps;
  logins: WebLogins;
  probe: RouteProbe;
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  startedAt: number;
}

type Handler = (c: ApiContext) => Promise<unknown>;
interface ApiRoute {
  method: 'GET' | 'POST';
  path: RegExp;
  handle: Handler;
}

const HOUR = 3_600_000;
const SEG = '([^/]+)';

/** The JSON API under /ui/api: each handler calls the same module the CLI command calls. */
export const API_ROUTES: ApiRoute[] = [
  { method: 'GET', path: /^\/overview$/, handle: overview },
  { method: 'GET', path: /^\/profiles$/, handle: profiles },
  { method: 'POST', path: /^\/profiles\/keys$/, handle: addKey },
  {
    method: 'POST',
    path: new RegExp(`^/profiles/${SEG}/(enable|disable)$`),
    handle: async (c) => ({
      profile: await withQuota(
        c.deps.store,
        await setProfileEnabled(c.deps.store, param(c, 0), c.params[1] === 'enable'),
      ),
    }),
  },
  {
    method: 'POST',
    path: new RegExp(`^/profiles/${SEG}/remove$`),
    handle: async (c) => ({ backup: await removeProfileWithBackup(c.deps.store, c.deps.home, param(c, 0)) }),
  },
  {
    method: 'POST',
    path: /^\/logins$/,
    handle: async (c) =>
      c.logins.start({
        provider: str(c, 'provider'),
        name: str(c, 'name') || 'default',
        mode: c.body.mode === 'browser' ? 'browser' : 'device',
        force: c.body.force === true,
      }),
  },
  {
    method: 'GET',
    path: new RegExp(`^/logins/${SEG}$`),
    handle: async (c) => {
      const state = c.logins.get(param(c, 0));
      if (!state) throw new ClawkeepError('usage', 'no such login in progress; start it again');
      return state;
    },
  },
  {
    method: 'POST',
    path: new RegExp(`^/logins/${SEG}/paste$`),
    handle: async (c) => c.logins.paste(param(c, 0), str(c, 'value')),
  },
  {
    method: 'GET',
    path: /^\/clients$/,
    handle: async (c) => ({
      clients: (await c.deps.store.listClients()).map(viewClient),
      chains: Object.keys(chainsOf(c.deps.config)),
      gatewayUrl: c.deps.gatewayUrl(),
    }),
  },
  {
    method: 'POST',
    path: /^\/clients$/,
    handle: async (c) => addClient(c.deps.store, c.deps.config, str(c, 'name'), str(c, 'chain') || null),
  },
  {
    method: 'POST',
    path: new RegExp(`^/clients/${SEG}/revoke$`),
    handle: async (c) => {
      const client = await revokeClient(c.deps.store, param(c, 0));
      c.deps.onClientRevoked();
      c.probe.forget(client.name);
      return { revoked: client };
    },
  },
  {
    method: 'GET',
    path: /^\/routing$/,
    handle: async (c) => describeRouting(c.deps.config, await c.deps.store.listProfiles(), c.deps.cooldowns),
  },
  {
    method: 'POST',
    path: /^\/routing\/try$/,
    handle: async (c) => tryRoute(c.probe, c.deps, str(c, 'chain')),
  },
  { method: 'GET', path: /^\/events$/, handle: events },
  { method: 'GET', path: /^\/doctor$/, handle: async (c) => runDashboardDoctor(c.deps, 'diagnose') },
  {
    method: 'POST',
    path: /^\/doctor\/(preview|apply)$/,
    handle: async (c) => runDashboardDoctor(c.deps, c.params[0] === 'apply' ? 'apply' : 'preview'),
  },
];

async function overview(c: ApiContext) {
  const { store } = c.deps;
  const now = Date.now();
  const [all, links, recent, quotas] = await Promise.all([
    store.listProfiles(),
    store.listLinkedSources(),
    latestEvents(store, { since: now - 24 * HOUR, kinds: new Set<EventKind>(['fallback']) }, 100_000),
    quotasNow(store, now),
  ]);
  const rows = all.map((p) => {
    const at = refreshAt(p);
    return {
      ...describeStatus(p, links, now, quotas.get(p.id) ?? null),
      nextRefreshInSeconds:
        p.type !== 'oauth' || !Number.isFinite(at) ? null : Math.max(0, Math.round((at - now) / 1000)),
      fallbacks1h: recent.filter((e) => e.profileId === p.id && e.at >= now - HOUR).length,
      fallbacks24h: recent.filter((e) => e.profileId === p.id).length,
    };
  });
  return {
    profiles: rows,
    fallbacks: { hour: recent.filter((e) => e.at >= now - HOUR).length, day: recent.length },
    gateway: {
      url: c.deps.gatewayUrl(),
      upSeconds: Math.round((now - c.startedAt) / 1000),
      usableProfiles: all.filter((p) => p.status === 'ok').length,
      cooldowns: c.deps.cooldowns.list().length,
    },
    banners: rows
      .filter((r) => r.fix)
      .map((r) => ({ profileId: r.id, status: r.status, reason: r.statusReason, fix: r.fix })),
  };
}

async function profiles(c: ApiContext) {
  const { store } = c.deps;
  const now = Date.now();
  const [all, links, history, quotas] = await Promise.all([
    store.listProfiles(),
    store.listLinkedSources(),
    latestEvents(
      store,
      { kinds: new Set<EventKind>(['rotated', 'adopted', 'reauth_required', 'replaced', 'created']) },
      2000,
    ),
    quotasNow(store, now),
  ]);
  // Each linked source read now: does it hold the store's credential (fingerprints only)?
  const steps = await Promise.all(
    all.map((p) => Promise.all(links.filter((l) => l.profileId === p.id).map((l) => checkInStep(p, l)))),
  );
  return {
    profiles: all.map((p, i) => ({
      ...describeStatus(p, links, now, quotas.get(p.id) ?? null),
      linkedSteps: steps[i] ?? [],
      history: history
        .filter((e) => e.profileId === p.id)
        .slice(-10)
        .reverse(),
    })),
    providers: listProviders().map((p) => ({ id: p.id, oauth: Boolean(p.oauth) })),
    loginProviders: loginProviders(),
    // Providers whose device-code login is configured; the others sign in by PKCE (paste the redirect).
    deviceLogin: loginProviders().filter((id) => {
      try {
        return loginModes(id, c.deps.env).includes('device');
      } catch {
        return false;
      }
    }),
  };
}

async function addKey(c: ApiContext) {
  const p = await saveApiKey(c.deps.store, {
    provider: str(c, 'provider'),
    name: str(c, 'name') || 'default',
    key: str(c, 'key'),
    force: c.body.force === true,
  });
  return { profile: await withQuota(c.deps.store, p) };
}

/** Each login's last quota reading as `models status` shows it. */
async function quotasNow(store: Store, now: number): Promise<Map<string, QuotaView>> {
  return viewQuotas(await store.listQuotas(), now);
}

/** One profile's status row with its quota. */
async function withQuota(store: Store, p: Profile): Promise<StatusRow> {
  const now = Date.now();
  return describeStatus(p, [], now, (await quotasNow(store, now)).get(p.id) ?? null);
}

async function events(c: ApiContext) {
  const profileId = c.query.get('profile') || undefined;
  const kinds = new Set((c.query.get('kind') ?? '').split(',').filter(Boolean) as EventKind[]);
  const limit = Math.min(1000, Math.max(1, Number(c.query.get('limit')) || 200));
  const now = Date.now();
  const list = await latestEvents(c.deps.store, { ...(profileId ? { profileId } : {}), kinds }, limit);
  const day = await latestEvents(
    c.deps.store,
    { since: now - 24 * HOUR, kinds: new Set<EventKind>(['fallback', 'rotated', 'adopted']) },
    100_000,
  );
  return {
    events: list.reverse(),
    chart: bucketCounts(day, { from: now - 24 * HOUR, to: now, buckets: 24 }),
  };
}

function str(c: ApiContext, field: string): string {
  const v = c.body[field];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new ClawkeepError('usage', `field "${field}" must be a string`);
  return v;
}

function param(c: ApiContext, i: number): string {
  return decodeURIComponent(c.params[i] ?? '');
}
