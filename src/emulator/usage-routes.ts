import { authenticate as authenticateAnthropic } from './anthropic-routes.js';
import { anthropicError } from './envelopes.js';
import { sendJson } from './http-util.js';
import { admitCodex } from './openai-codex-routes.js';
import type { Usage, WindowUsage } from './quotas.js';
import type { RequestContext, Route } from './state.js';
import { newId } from './tokens.js';

/**
 * The providers' usage endpoints, read by idle-login polls and Codex CLI's `/status`: the figures are
 * the emulated windows (`Quotas.peek`), never a model call, never counted as one.
 */
export function usageRoutes(): Route[] {
  return [
    { method: 'GET', path: '/openai-codex/backend-api/wham/usage', handle: handleCodexUsage },
    { method: 'GET', path: '/anthropic/api/oauth/usage', handle: handleClaudeUsage },
  ];
}

/** `GET chatgpt.com/backend-api/wham/usage`: integers throughout, as Codex CLI decodes them (i32). */
export function codexUsageBody(usage: Usage, nowMs: number): Record<string, unknown> {
  const now = Math.floor(nowMs / 1000);
  const window = (w: WindowUsage) => ({
    used_percent: Math.round(w.usedPercent),
    limit_window_seconds: w.windowMinutes * 60,
    reset_after_seconds: Math.max(0, w.resetAt - now),
    reset_at: w.resetAt,
  });
  const reached = usage.primary.usedPercent >= 100 || usage.secondary.usedPercent >= 100;
  return {
    plan_type: 'plus',
    rate_limit: {
      allowed: !reached,
      limit_reached: reached,
      primary_window: window(usage.primary),
      secondary_window: window(usage.secondary),
    },
    credits: { has_credits: false, unlimited: false, balance: '0' },
    additional_rate_limits: null,
  };
}

/** `GET api.anthropic.com/api/oauth/usage`: utilization in percent (0–100), resets_at ISO with offset. */
export function claudeUsageBody(usage: Usage): Record<string, unknown> {
  const window = (w: WindowUsage) => ({
    utilization: w.usedPercent,
    resets_at: new Date(w.resetAt * 1000).toISOString().replace('Z', '+00:00'),
  });
  return {
    five_hour: window(usage.primary),
    seven_day: window(usage.secondary),
    seven_day_oauth_apps: null,
    seven_day_opus: null,
    seven_day_sonnet: null,
    extra_usage: { is_enabled: false, monthly_limit: null, used_credits: null, utilization: null },
  };
}

async function handleCodexUsage(ctx: RequestContext): Promise<void> {
  const accountId = await admitCodex(ctx);
  if (accountId === null) return;
  const now = ctx.state.now();
  sendJson(ctx.res, 200, codexUsageBody(ctx.state.quotas.peek(`openai-codex:${accountId}`, now), now));
}

function handleClaudeUsage(ctx: RequestContext): void {
  const headers = { 'request-id': newId('req', 12) };
  const caller = authenticateAnthropic(ctx);
  if (typeof caller === 'string' || caller.kind !== 'oauth') {
    const message =
      typeof caller === 'string' ? caller : 'OAuth authentication is required for this endpoint.';
    sendJson(ctx.res, 401, anthropicError('authentication_error', message), headers);
    return;
  }
  const usage = ctx.state.quotas.peek(`anthropic:${caller.account}`, ctx.state.now());
  sendJson(ctx.res, 200, claudeUsageBody(usage), headers);
}
