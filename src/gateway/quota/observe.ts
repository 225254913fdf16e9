import { notifyWebhook } from '../../runtime/webhook.js';
import type { GatewayDeps } from '../deps.js';
import type { QuotaCrossing } from './alerts.js';
import { parseQuotaHeaders } from './parse-headers.js';
import type { QuotaReading } from './reading.js';

type Headers = Record<string, string | string[] | undefined>;

/** Reads the quota headers of an upstream answer into the book and the gauges; a map update, no I/O. */
export function observeQuota(
  deps: Pick<GatewayDeps, 'quotas' | 'metrics'>,
  profileId: string,
  provider: string,
  headers: Headers,
  now = Date.now(),
): void {
  const reading = parseQuotaHeaders(provider, headers, now);
  if (reading) recordReading(deps, profileId, reading);
}

/** Takes a reading (from headers or a usage poll) into the book and the gauges. */
export function recordReading(
  deps: Pick<GatewayDeps, 'quotas' | 'metrics'>,
  profileId: string,
  reading: QuotaReading,
): void {
  deps.quotas.observe(profileId, reading);
  for (const w of reading.windows)
    deps.metrics.quotaUsed.set({ profile: profileId, window: w.name }, w.usedRatio);
}

/** Makes a quota crossing loud, once: event, warn log, metric, webhook, each with the reset time. */
export function announceQuotaCrossing(
  c: QuotaCrossing,
  deps: Pick<GatewayDeps, 'events' | 'log' | 'metrics' | 'config'>,
  now = Date.now(),
): void {
  const record = {
    profile: c.profileId,
    window: c.window,
    level: c.level,
    usedPercent: Math.round(c.usedRatio * 1000) / 10,
    resetAt: c.resetAt === null ? null : new Date(c.resetAt).toISOString(),
  };
  deps.events.push({ profileId: c.profileId, kind: c.kind, data: record }, now);
  const what =
    c.kind === 'quota_recovered'
      ? 'recovered'
      : c.kind === 'quota_exhausted'
        ? 'exhausted'
        : `at ${record.usedPercent} %`;
  const until = record.resetAt ? ` (resets ${record.resetAt})` : '';
  deps.log.warn({ quota: record }, `quota ${c.profileId} ${c.window} ${what}${until}`);
  deps.metrics.quotaAlerts.inc({ profile: c.profileId, window: c.window, kind: c.kind });
  notifyWebhook(
    deps.config.gateway.webhook,
    { event: c.kind, at: new Date(now).toISOString(), ...record },
    deps.log,
  );
}
