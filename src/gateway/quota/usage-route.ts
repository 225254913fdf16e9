import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mayServe } from '../../providers/serving-policy.js';
import type { ClientRecord, Profile } from '../../store/types.js';
import { RESPONSES } from '../client-formats.js';
import type { GatewayDeps } from '../deps.js';
import { resolveRoute } from '../routing.js';
import { codexUsageBody, pickReportedLogin, planTypeOf } from './codex-usage.js';

/**
 * Where Codex CLI asks for its `/status` limits: `<chatgpt_base_url>/wham/usage` when the base holds
 * `/backend-api`, else `<base>/api/codex/usage` (openai/codex codex-rs/backend-client PathStyle).
 */
export const CODEX_USAGE_PATHS: ReadonlySet<string> = new Set([
  '/backend-api/wham/usage',
  '/api/codex/usage',
]);

export interface UsageRouteContext {
  deps: Pick<GatewayDeps, 'config' | 'profiles' | 'quotas' | 'log'>;
  authenticate(key: string | null): Promise<ClientRecord | null>;
}

/**
 * `GET /backend-api/wham/usage`: the Codex windows of the login that serves the caller. A client key
 * gets its chain's `openai-codex` logins (those it may use), reported as `pickReportedLogin` says; the
 * access token of a Codex login clawkeep holds (Codex CLI's own ChatGPT login, which it sends here
 * once `chatgpt_base_url` points at the gateway) gets that login's windows. The login reported is
 * named in `x-clawkeep-usage-profile`.
 */
export async function serveCodexUsage(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: UsageRouteContext,
): Promise<void> {
  req.resume();
  if (req.method !== 'GET') return refuse(res, ctx, 405, 'method_not_allowed', 'use GET');
  const key = RESPONSES.readKey(req.headers);
  const client = await ctx.authenticate(key);
  const ids = client ? await codexLoginsOf(client, ctx) : await loginHolding(key, ctx);
  if (ids === null) {
    return refuse(
      res,
      ctx,
      401,
      'invalid_client_key',
      'missing or wrong clawkeep client key (or the access token of a Codex login clawkeep holds)',
    );
  }
  const now = Date.now();
  const id = pickReportedLogin(ids, (i) => ctx.deps.quotas.get(i), now);
  const reading = id ? ctx.deps.quotas.get(id) : null;
  const profile = ctx.deps.profiles.get(id ?? ids[0] ?? '');
  const body = codexUsageBody(reading, planTypeOf(reading, profile?.access ?? null), now);
  res.writeHead(200, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...(id ? { 'x-clawkeep-usage-profile': id } : {}),
  });
  res.end(JSON.stringify(body));
}

/**
 * The `openai-codex` logins the client may use on its chain's Codex targets (pinned ones, else all).
 * Without a chain, or with one that has no Codex target, all of them: a bare Codex model id (what
 * Codex CLI sends) goes to the providers that serve it first.
 */
async function codexLoginsOf(client: ClientRecord, ctx: UsageRouteContext): Promise<string[]> {
  const all = await ctx.deps.profiles.forProvider('openai-codex');
  let targets: ReturnType<typeof resolveRoute>['targets'] = [];
  try {
    targets = resolveRoute('', client.chain, ctx.deps.config).targets.filter(
      (t) => t.provider === 'openai-codex',
    );
  } catch {
    // no chain to fall back on: as a bare model id would route
  }
  const listed = targets.length === 0 ? all : targets.flatMap((t) => t.profiles ?? all);
  const usable = (id: string) => {
    const p = ctx.deps.profiles.get(id);
    return p !== undefined && p.status === 'ok' && mayServe(p, client);
  };
  return [...new Set(listed)].filter(usable);
}

/** The Codex login whose current access token `key` is, as a one-login list; null when none is. */
async function loginHolding(key: string | null, ctx: UsageRouteContext): Promise<string[] | null> {
  if (!key) return null;
  const wanted = digest(key);
  const match = (p: Profile) =>
    p.provider === 'openai-codex' &&
    p.type === 'oauth' &&
    p.access &&
    timingSafeEqual(digest(p.access), wanted);
  const found = (await ctx.deps.profiles.all()).find(match);
  return found ? [found.id] : null;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function refuse(res: ServerResponse, ctx: UsageRouteContext, status: number, code: string, message: string) {
  ctx.deps.log.warn({ path: 'codex usage', status, code }, 'request refused');
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(RESPONSES.errorBody(status, code, message));
}
