import { z } from 'zod';
import { isClawkeepError } from '../errors.js';
import { createAccount } from './accounts.js';
import { FaultRuleSchema } from './faults.js';
import { sendJson } from './http-util.js';
import { OAUTH_PROVIDERS } from './oauth-providers.js';
import { formatReusePolicy, parseReusePolicy } from './reuse-policy.js';
import type { RequestContext, Route } from './state.js';
import { collectStats } from './stats.js';
import { parseWith } from './validate.js';

const MintSchema = z.strictObject({
  provider: z.enum(['openai-codex', 'anthropic']),
  email: z.string().min(1).optional(),
  accountId: z.string().min(1).optional(),
});

const QuotaSchema = z.strictObject({
  provider: z.enum(['openai-codex', 'anthropic']),
  accountId: z.string().min(1),
  primaryPercent: z.number().min(0).max(100).optional(),
  secondaryPercent: z.number().min(0).max(100).optional(),
});

const RevokeSchema = z.strictObject({ refresh: z.string().min(1) });

const ConfigSchema = z.strictObject({
  reuse: z.string().optional(),
  accessTtlSeconds: z.number().int().positive().optional(),
});

/** `/_emulator/*`: counters, minting, fault injection, runtime configuration and the request log. */
export function controlRoutes(): Route[] {
  return [
    {
      method: 'GET',
      path: '/_emulator/stats',
      handle: (ctx) => sendJson(ctx.res, 200, collectStats(ctx.state)),
    },
    { method: 'POST', path: '/_emulator/mint', handle: mint },
    { method: 'GET', path: '/_emulator/faults', handle: listFaults },
    { method: 'POST', path: '/_emulator/faults', handle: addFault },
    { method: 'DELETE', path: '/_emulator/faults', handle: clearFaults },
    { method: 'GET', path: '/_emulator/config', handle: showConfig },
    { method: 'POST', path: '/_emulator/quotas', handle: setQuota },
    { method: 'POST', path: '/_emulator/revoke', handle: revoke },
    {
      method: 'GET',
      path: '/_emulator/requests',
      handle: (ctx) =>
        sendJson(ctx.res, 200, {
          requests: ctx.state.recorder.list(ctx.url.searchParams.get('path') ?? undefined),
        }),
    },
    {
      method: 'DELETE',
      path: '/_emulator/requests',
      handle: (ctx) => {
        ctx.state.recorder.clear();
        sendJson(ctx.res, 200, { requests: [] });
      },
    },
    { method: 'POST', path: '/_emulator/config', handle: changeConfig },
  ];
}

function invalid(ctx: RequestContext, message: string): void {
  sendJson(ctx.res, 400, { error: 'invalid_request', error_description: message });
}

/** Starts a family without the browser flow; answers in the shape clawkeep stores an OAuth profile. */
async function mint(ctx: RequestContext): Promise<void> {
  const parsed = parseWith(MintSchema, await ctx.body());
  if (!parsed.ok) return invalid(ctx, parsed.message);
  const { provider, email, accountId } = parsed.data;
  const family = ctx.state.ledger.startFamily(provider, createAccount(provider, { email, accountId }));
  const issued = await OAUTH_PROVIDERS[provider].issue(ctx.state, family, family.current);
  sendJson(ctx.res, 200, {
    familyId: family.id,
    type: 'oauth',
    provider,
    access: issued.access,
    refresh: issued.refresh,
    expires: issued.expiresAt,
    accountId: family.account.accountId,
    email: family.account.email,
  });
}

function listFaults(ctx: RequestContext): void {
  sendJson(ctx.res, 200, { faults: ctx.state.faults.list() });
}

async function addFault(ctx: RequestContext): Promise<void> {
  const parsed = parseWith(FaultRuleSchema, await ctx.body());
  if (!parsed.ok) return invalid(ctx, parsed.message);
  ctx.state.faults.add(parsed.data);
  listFaults(ctx);
}

function clearFaults(ctx: RequestContext): void {
  ctx.state.faults.clear();
  listFaults(ctx);
}

/** Fills a login's windows (100 % answers 429 until the window resets), so quota handling is testable. */
async function setQuota(ctx: RequestContext): Promise<void> {
  const parsed = parseWith(QuotaSchema, await ctx.body());
  if (!parsed.ok) return invalid(ctx, parsed.message);
  const { provider, accountId, primaryPercent, secondaryPercent } = parsed.data;
  const account = `${provider}:${accountId}`;
  const now = ctx.state.now();
  if (primaryPercent !== undefined) ctx.state.quotas.set(account, 'primary', primaryPercent, now);
  if (secondaryPercent !== undefined) ctx.state.quotas.set(account, 'secondary', secondaryPercent, now);
  sendJson(ctx.res, 200, { account, primaryPercent, secondaryPercent });
}

/** Revokes the login of a refresh token, as the provider would (`token_invalidated` from then on). */
async function revoke(ctx: RequestContext): Promise<void> {
  const parsed = parseWith(RevokeSchema, await ctx.body());
  if (!parsed.ok) return invalid(ctx, parsed.message);
  if (!ctx.state.ledger.revokeFamilyOf(parsed.data.refresh, ctx.state.now())) {
    return invalid(ctx, 'refresh: no login holds that refresh token (mint one with POST /_emulator/mint)');
  }
  sendJson(ctx.res, 200, { revoked: true });
}

function showConfig(ctx: RequestContext): void {
  sendJson(ctx.res, 200, {
    reuse: formatReusePolicy(ctx.state.ledger.policy),
    accessTtlSeconds: ctx.state.config.accessTtlSeconds,
  });
}

async function changeConfig(ctx: RequestContext): Promise<void> {
  const parsed = parseWith(ConfigSchema, await ctx.body());
  if (!parsed.ok) return invalid(ctx, parsed.message);
  const { reuse, accessTtlSeconds } = parsed.data;
  if (reuse !== undefined) {
    try {
      ctx.state.ledger.policy = parseReusePolicy(reuse);
    } catch (err) {
      if (isClawkeepError(err, 'usage')) return invalid(ctx, err.message);
      throw err;
    }
  }
  if (accessTtlSeconds !== undefined) ctx.state.config.accessTtlSeconds = accessTtlSeconds;
  showConfig(ctx);
}
