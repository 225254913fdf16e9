import { notifyWebhook } from '../runtime/webhook.js';
import type { Profile } from '../store/types.js';
import type { Failure, Skip } from './attempt.js';
import type { GatewayDeps } from './deps.js';

/**
 * Makes every fallback loud: event, warn log, metric, webhook. Only targets that were tried and
 * failed (or rest after failing) count; returns the `x-clawkeep-fallback` header value.
 */
export function announceFallbacks(
  failures: readonly Failure[],
  servedBy: string | null,
  meta: { client: string; chain: string | null },
  deps: Pick<GatewayDeps, 'events' | 'log' | 'metrics' | 'config' | 'labels'>,
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
    deps.metrics.fallbacks.inc({
      from: deps.labels.target(h.label),
      to: deps.labels.target(h.to),
      reason: h.reason,
    });
    notifyWebhook(
      deps.config.gateway.webhook,
      { event: 'fallback', at: new Date(now).toISOString(), ...record },
      deps.log,
    );
  }
  return hops.map((h) => `${h.label} -> ${h.to}; reason=${h.reason}`).join(', ');
}

/** The `x-clawkeep-skipped` header value: targets left out before anything was tried. */
export function skippedHeader(skipped: readonly Skip[]): string | null {
  return skipped.length > 0 ? skipped.map((s) => `${s.label}; ${s.detail}`).join(', ') : null;
}

/**
 * A login left service (the provider revoked or invalidated it, its refresh token was spent, or it
 * was disabled): it has left every pool, and that is announced as loudly as a fallback. The store
 * holds the event (`reauth_required` or `status_changed`); here: warn log, metric and webhook.
 */
export function announceLoginLost(
  profile: Pick<Profile, 'id' | 'provider' | 'status' | 'statusReason'>,
  deps: Pick<GatewayDeps, 'log' | 'metrics' | 'config'>,
): void {
  const reason =
    profile.status === 'needs_reauth' ? (profile.statusReason ?? 'needs_reauth') : profile.status;
  const record = { profile: profile.id, provider: profile.provider, status: profile.status, reason };
  deps.log.warn({ loginLost: record }, `login ${profile.id} left every pool (${profile.status}: ${reason})`);
  deps.metrics.loginsLost.inc({ provider: profile.provider, reason });
  notifyWebhook(
    deps.config.gateway.webhook,
    { event: 'login_lost', at: new Date().toISOString(), ...record },
    deps.log,
  );
}
