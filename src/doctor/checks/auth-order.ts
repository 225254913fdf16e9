import { openclawConfigPath } from '../../clients/openclaw.js';
import { canonicalProfileId } from '../../openclaw/profile.js';
import { readOpenClawConfig, rewriteOpenClawConfig } from '../config-rewrite.js';
import { takeoversOf } from '../takeovers.js';
import type { Check, DoctorContext, Finding } from '../types.js';
import { fixCommand } from '../util.js';
import { deadOrders, reviveOrders } from './auth-order-rules.js';

/**
 * `openclaw.json`'s `auth.order.<provider>` naming only profiles no store holds while a login for that
 * provider sits in the store (auth-order-rules.ts): OpenClaw uses no profile then, and every call of
 * that provider fails with 401. The fix appends the held ids to the list (backup, compare-and-set).
 */
export const authOrderCheck: Check = {
  id: 'auth-order',
  title: 'OpenClaw’s auth order names profiles its stores hold',
  run(ctx) {
    const out: Finding[] = [];
    for (const home of ctx.scans()) {
      const ids = heldIds(ctx, home.dir);
      if (!ids) continue;
      const path = openclawConfigPath(home.dir);
      const cfg = readOpenClawConfig(path);
      if (cfg === null || typeof cfg === 'string') continue;
      for (const d of deadOrders(cfg, ids.held, ids.known)) {
        out.push({
          check: this.id,
          severity: 'error',
          code: 'auth_order_unknown',
          home: home.dir,
          path,
          message: `${path} auth.order.${d.provider} names only ${d.named.join(', ')}, which no auth store in ${home.dir} holds; OpenClaw then uses no ${d.provider} profile and every ${d.provider} call fails with 401, although the store holds ${d.held.join(', ')}`,
          next: fixCommand(ctx, home.dir),
          fix: `append ${d.held.join(', ')} to auth.order.${d.provider} (the named ids stay; backup ${path}.clawkeep-auth-order.<ms>.bak)`,
        });
      }
    }
    return out;
  },
  fix(ctx, finding) {
    const path = finding.path!;
    const ids = finding.home ? heldIds(ctx, finding.home) : null;
    if (!ids)
      return {
        status: 'skipped',
        message: `the stores of ${finding.home} cannot all be read now; left alone`,
      };
    return rewriteOpenClawConfig(
      path,
      {
        tag: 'clawkeep-auth-order',
        now: ctx.now(),
        nothingLeft: `${path} auth.order names held profiles now`,
      },
      (doc) => reviveOrders(doc, ids.held, ids.known),
    );
  },
};

/**
 * Provider → profile ids the state dir's primary stores hold, and every id accounted for (held, or
 * moved into clawkeep, or left in a leftover file). Null when a store cannot be read or clawkeep's takeovers are unknown: then a
 * missing id may not be missing, and nothing is judged.
 */
function heldIds(
  ctx: DoctorContext,
  dir: string,
): { held: Map<string, string[]>; known: Set<string> } | null {
  const takeovers = ctx.takeovers();
  if (takeovers === null) return null;
  const held = new Map<string, string[]>();
  const known = new Set<string>();
  for (const view of ctx.agents()) {
    if (view.home.dir !== dir) continue;
    for (const t of takeoversOf(takeovers, view.agent.dir)) {
      known.add(t.openclawId);
      known.add(canonicalProfileId(t.openclawId));
    }
    // A copy in a leftover file is split-store's to bring back, not a missing login.
    for (const l of view.legacy)
      if (l.result.ok) for (const p of l.result.contents.profiles) known.add(canonicalProfileId(p.id));
    if (!view.primary) continue;
    if (!view.primary.result.ok) return null;
    for (const p of view.primary.result.contents.profiles) {
      known.add(p.id);
      const provider = p.provider.trim().toLowerCase();
      const list = held.get(provider) ?? [];
      if (!list.includes(p.id)) held.set(provider, [...list, p.id]);
    }
  }
  return { held, known };
}
