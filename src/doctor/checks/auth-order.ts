import { openclawConfigPath } from '../../clients/openclaw.js';
import { canonicalProfileId } from '../../openclaw/profile.js';
import { MAIN_AGENT } from '../../openclaw/scan.js';
import { readOpenClawConfig, rewriteOpenClawConfig } from '../config-rewrite.js';
import { takeoversOf } from '../takeovers.js';
import type { AgentView, Check, DoctorContext, Finding } from '../types.js';
import { fixCommand } from '../util.js';
import { type AgentAuth, deadOrders, reviveOrders } from './auth-order-rules.js';

/**
 * `openclaw.json`'s `auth.order.<provider>` naming, for some agent, only profiles its runtime cannot load
 * while its store holds a login for that provider (auth-order-rules.ts): OpenClaw uses no profile there,
 * and every call of that provider from that agent fails with 401. Judged per agent, as OpenClaw resolves
 * it. The fix appends the held ids to the list (backup, compare-and-set).
 */
export const authOrderCheck: Check = {
  id: 'auth-order',
  title: 'OpenClaw’s auth order names profiles each agent’s store holds',
  run(ctx) {
    const out: Finding[] = [];
    const takeovers = ctx.takeovers();
    if (takeovers === null) return out;
    for (const home of ctx.scans()) {
      const path = openclawConfigPath(home.dir);
      const cfg = readOpenClawConfig(path);
      if (cfg === null || typeof cfg === 'string') continue;
      const views = ctx.agents().filter((v) => v.home.dir === home.dir);
      const main = () =>
        views.find((v) => v.agent.id === MAIN_AGENT) ??
        (ctx.agentId === undefined ? null : ctx.freshAgent(home.dir, MAIN_AGENT));
      for (const d of deadOrders(cfg, agentAuth(ctx, views, main))) {
        const who = listed(d.agents.map((a) => `agent ${a}`));
        const one = d.agents.length === 1;
        out.push({
          check: this.id,
          severity: 'error',
          code: 'auth_order_unknown',
          home: home.dir,
          ...(one ? { agentId: d.agents[0]! } : {}),
          path,
          message: `${path} auth.order.${d.provider} names only ${d.named.join(', ')}, which ${who} cannot load (an agent loads its own store and, unless it is main, main’s; another agent’s store does not count); OpenClaw then uses no ${d.provider} profile for ${who}, so every ${d.provider} call there fails with 401, although ${who} ${one ? 'holds' : 'hold'} ${d.held.join(', ')}`,
          next: fixCommand(ctx, home.dir),
          fix: `append ${d.held.join(', ')} to auth.order.${d.provider} (the named ids stay; backup ${path}.clawkeep-auth-order.<ms>.bak)`,
        });
      }
    }
    return out;
  },
  fix(ctx, finding) {
    const path = finding.path!;
    const home = finding.home!;
    const takeovers = ctx.takeovers();
    if (takeovers === null)
      return {
        status: 'skipped',
        message: `whether ${home}'s logins were taken over is unknown now; left alone`,
      };
    // Read now: an earlier repair of this run (split-store) may have written the named id into a store.
    const views = ctx
      .freshScan(home)
      .agents.map((a) => ctx.freshAgent(home, a.id))
      .filter((v): v is AgentView => v !== null);
    const main = () =>
      views.find((v) => v.agent.id === MAIN_AGENT) ??
      (ctx.agentId === undefined ? null : ctx.freshAgent(home, MAIN_AGENT));
    const agents = agentAuth(ctx, views, main);
    return rewriteOpenClawConfig(
      path,
      {
        tag: 'clawkeep-auth-order',
        now: ctx.now(),
        nothingLeft: `${path} auth.order names held profiles now`,
      },
      (doc) => reviveOrders(doc, agents),
    );
  },
};

/**
 * What each agent's runtime loads: its own primary store, and the main agent's under a non-main agent.
 * An agent whose store (or main's) cannot be read is not judged: a missing id may not be missing there.
 */
function agentAuth(ctx: DoctorContext, views: AgentView[], main: () => AgentView | null): AgentAuth[] {
  const takeovers = ctx.takeovers() ?? [];
  const out: AgentAuth[] = [];
  let base: AgentView | null | undefined;
  for (const view of views) {
    const sources = [view];
    if (view.agent.id !== MAIN_AGENT) {
      base ??= main();
      if (base) sources.push(base);
    }
    if (sources.some((s) => s.primary && !s.primary.result.ok)) continue;
    const held = new Map<string, string[]>();
    const known = new Set<string>();
    for (const s of sources) {
      for (const t of takeoversOf(takeovers, s.agent.dir)) {
        known.add(t.openclawId);
        known.add(canonicalProfileId(t.openclawId));
      }
      // A copy in a leftover file is split-store's to bring back, not a missing login.
      for (const l of s.legacy)
        if (l.result.ok) for (const p of l.result.contents.profiles) known.add(canonicalProfileId(p.id));
      if (!s.primary?.result.ok) continue;
      for (const p of s.primary.result.contents.profiles) {
        known.add(p.id);
        const provider = p.provider.trim().toLowerCase();
        const list = held.get(provider) ?? [];
        if (!list.includes(p.id)) held.set(provider, [...list, p.id]);
      }
    }
    out.push({ agentId: view.agent.id, held, known });
  }
  return out;
}

/** `a, b, c and 4 more`. */
function listed(items: string[]): string {
  if (items.length <= 3) return items.join(', ');
  return `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}
