import type { Logger } from 'pino';
import type { Broker, Credential } from '../broker/broker.js';
import { isClawkeepError } from '../errors.js';
import type { Store } from '../store/types.js';
import type { ModelAdapter } from './adapter.js';
import type { GatewayConfig } from './config.js';
import type { Cooldowns } from './cooldowns.js';
import type { EventBuffer } from './event-buffer.js';
import { BROKER_ERROR_RULES, cooldownFor, type FallbackReason, reasonForStatus } from './fallback-rules.js';
import type { GatewayMetrics } from './metrics.js';
import type { ProfileDirectory } from './profile-directory.js';
import type { ProfilePicker, Route, Target } from './routing.js';
import { postUpstream, type UpstreamResponse } from './upstream-http.js';
import { notifyWebhook } from './webhook.js';

export interface DispatchDeps {
  broker: Broker;
  store: Store;
  /** Request-path events, written in batches. */
  events: EventBuffer;
  config: GatewayConfig;
  cooldowns: Cooldowns;
  picker: ProfilePicker;
  profiles: ProfileDirectory;
  metrics: GatewayMetrics;
  log: Logger;
  adapters: ReadonlyMap<string, ModelAdapter>;
  baseUrl(provider: string): string | null;
}

/** One (target, profile) pair of a chain, in the order it will be tried. */
export interface Candidate {
  target: Target;
  profileId: string;
  adapter: ModelAdapter;
  label: string;
}

export interface Failure {
  label: string;
  profileId: string | null;
  reason: FallbackReason;
  detail: string;
  retryAfterMs: number | null;
}

/** What a candidate attempt produced; `accept` decides whether it counts as served. */
export type Attempt<T> =
  | { kind: 'served'; value: T }
  | { kind: 'next'; failure: Failure }
  | { kind: 'final'; status: number; body: string; contentType: string };

/** The request-specific part: build the upstream body, call it, and judge the answer. */
export type TryCandidate<T> = (
  c: Candidate,
  cred: Credential,
  send: (body: string) => Promise<SendResult>,
) => Promise<Attempt<T>>;

export type SendResult = { ok: true; res: UpstreamResponse } | { ok: false; failure: Failure };

export type DispatchOutcome<T> =
  | { kind: 'served'; value: T; candidate: Candidate; failures: Failure[] }
  | {
      kind: 'final';
      status: number;
      body: string;
      contentType: string;
      candidate: Candidate;
      failures: Failure[];
    }
  | { kind: 'exhausted'; failures: Failure[]; allCooling: boolean; retryAfterMs: number | null };

/** Expands a route's targets into (profile) candidates, in trying order. */
export async function expandCandidates(
  route: Route,
  deps: DispatchDeps,
): Promise<{ candidates: Candidate[]; skipped: Failure[] }> {
  const candidates: Candidate[] = [];
  const skipped: Failure[] = [];
  for (const target of route.targets) {
    const label = `${target.provider}/${target.model}`;
    const adapter = deps.adapters.get(target.provider);
    if (!adapter) {
      skipped.push({
        label,
        profileId: null,
        reason: 'profile_unavailable',
        detail: `no model adapter for ${target.provider}`,
        retryAfterMs: null,
      });
      continue;
    }
    const ids = deps.picker.order(target, await deps.profiles.forProvider(target.provider));
    if (ids.length === 0) {
      skipped.push({
        label,
        profileId: null,
        reason: 'profile_unavailable',
        detail: `no ${target.provider} profile`,
        retryAfterMs: null,
      });
    }
    for (const profileId of ids)
      candidates.push({ target, profileId, adapter, label: `${label}@${profileId}` });
  }
  return { candidates, skipped };
}

/**
 * Tries candidates in order. A candidate is skipped without an upstream call while cooling down or
 * when the broker cannot give it a token; a 401/403 gets one adopt-or-refresh retry; 429, 5xx,
 * network errors and first-byte timeouts move on (with a cooldown); other answers are final.
 */
export async function dispatch<T>(
  candidates: Candidate[],
  initial: Failure[],
  deps: DispatchDeps,
  attempt: TryCandidate<T>,
): Promise<DispatchOutcome<T>> {
  const failures = [...initial];
  let cooling = 0;
  let soonest: number | null = null;
  for (const c of candidates) {
    const cd = deps.cooldowns.get(c.profileId, c.target.model);
    if (cd) {
      cooling++;
      const left = cd.until - Date.now();
      soonest = soonest === null ? left : Math.min(soonest, left);
      failures.push({
        label: c.label,
        profileId: c.profileId,
        reason: 'cooldown',
        detail: `cooling down after ${cd.reason}`,
        retryAfterMs: left,
      });
      continue;
    }
    let cred: Credential;
    try {
      cred = await deps.broker.getCredential(c.profileId);
    } catch (err) {
      failures.push(brokerFailure(c, err));
      continue;
    }
    let out = await attempt(c, cred, (body) => send(c, cred, body, deps));
    if (out.kind === 'next' && out.failure.reason === 'auth') {
      // One adopt-or-refresh attempt before giving up on this profile.
      try {
        const fresh = await deps.broker.refreshRejected(c.profileId, cred.access);
        out = await attempt(c, fresh, (body) => send(c, fresh, body, deps));
      } catch (err) {
        out = { kind: 'next', failure: brokerFailure(c, err) };
      }
    }
    if (out.kind === 'served') return { kind: 'served', value: out.value, candidate: c, failures };
    if (out.kind === 'final') return { ...out, candidate: c, failures };
    failures.push(out.failure);
    const ms = cooldownFor(out.failure.reason, out.failure.retryAfterMs, deps.config.cooldowns);
    if (ms > 0) {
      deps.cooldowns.set(c.profileId, c.target.model, ms, out.failure.reason);
      deps.metrics.cooldowns.inc({
        target: `${c.target.provider}/${c.target.model}`,
        reason: out.failure.reason,
      });
    }
  }
  const allCooling = candidates.length > 0 && cooling === candidates.length;
  return { kind: 'exhausted', failures, allCooling, retryAfterMs: soonest };
}

async function send(c: Candidate, cred: Credential, body: string, deps: DispatchDeps): Promise<SendResult> {
  const base = deps.baseUrl(c.target.provider);
  if (!base) {
    const detail = `no base URL for ${c.target.provider}; set CLAWKEEP_${c.target.provider.toUpperCase().replace(/-/g, '_')}_BASE_URL or providers.${c.target.provider}.baseUrl`;
    return {
      ok: false,
      failure: {
        label: c.label,
        profileId: c.profileId,
        reason: 'connect_error',
        detail,
        retryAfterMs: null,
      },
    };
  }
  const out = await postUpstream(
    `${base}${c.adapter.path}`,
    c.adapter.headers(cred),
    body,
    deps.config.gateway.firstByteTimeoutMs,
  );
  if (!out.ok) {
    return {
      ok: false,
      failure: {
        label: c.label,
        profileId: c.profileId,
        reason: out.reason,
        detail: out.message,
        retryAfterMs: null,
      },
    };
  }
  return { ok: true, res: out.res };
}

function brokerFailure(c: Candidate, err: unknown): Failure {
  const code = isClawkeepError(err) ? err.code : 'unknown';
  const reason = BROKER_ERROR_RULES[code] ?? 'refresh_failed';
  const detail = isClawkeepError(err)
    ? `${code}${err.details.reason ? ` [${String(err.details.reason)}]` : ''}`
    : (err as Error).message;
  return { label: c.label, profileId: c.profileId, reason, detail, retryAfterMs: null };
}

/** Judges an upstream status: 2xx serve; fallback statuses move on; other statuses are the client's answer. */
export function judgeStatus(c: Candidate, res: UpstreamResponse): Failure | 'ok' | 'final' {
  if (res.status >= 200 && res.status < 300) return 'ok';
  const reason = reasonForStatus(res.status);
  if (!reason) return 'final';
  return {
    label: c.label,
    profileId: c.profileId,
    reason,
    detail: `upstream answered ${res.status}`,
    retryAfterMs: res.retryAfterMs,
  };
}

/** Makes every fallback loud: event, warn log, metric, webhook. Returns the header value. */
export function announceFallbacks(
  failures: Failure[],
  servedBy: string | null,
  meta: { client: string; chain: string | null },
  deps: Pick<DispatchDeps, 'events' | 'log' | 'metrics' | 'config'>,
): string | null {
  if (failures.length === 0) return null;
  const hops = failures.map((f, i) => ({ ...f, to: failures[i + 1]?.label ?? servedBy ?? 'none' }));
  const now = Date.now();
  for (const h of hops) {
    const record = {
      from: h.label,
      to: h.to,
      reason: h.reason,
      detail: h.detail,
      client: meta.client,
      chain: meta.chain,
    };
    deps.events.push({ profileId: h.profileId, kind: 'fallback', data: record }, now);
    deps.log.warn({ fallback: record }, `fallback ${h.label} -> ${h.to} (${h.reason})`);
    deps.metrics.fallbacks.inc({ from: h.label, to: h.to, reason: h.reason });
    notifyWebhook(
      deps.config.gateway.webhook,
      { event: 'fallback', at: new Date(now).toISOString(), ...record },
      deps.log,
    );
  }
  return hops.map((h) => `${h.label} -> ${h.to}; reason=${h.reason}`).join(', ');
}
