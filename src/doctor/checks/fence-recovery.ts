import { homedir } from 'node:os';
import { join } from 'node:path';
import { readCodexCopy } from '../../linked/codex-auth-json.js';
import { readJsonDoc } from '../../linked/json-file.js';
import {
  fenceGraceMs,
  isFencedGeneration,
  isProvablyFresherThanFence,
  parseRefreshFence,
  type RefreshFence,
} from '../../openclaw/fence.js';
import { heldOpenClawLocks } from '../../openclaw/locks.js';
import { compareFreshness, type DatedCopy, deadReason, providerFamily } from '../../openclaw/profile.js';
import { scanOpenClawHome } from '../../openclaw/scan.js';
import { readProfilesFrom, writeProfileTo } from '../../openclaw/store-io.js';
import type { OpenClawProfile } from '../../openclaw/types.js';
import { readJwtClaims } from '../../util/jwt.js';
import type { AgentView, Check, DoctorContext, Finding, FixResult } from '../types.js';
import { findView, fixCommand, tokenFp } from '../util.js';

/** A copy of the fenced account found outside the agent's own files. */
interface Candidate extends DatedCopy {
  where: string;
}

/** Where Codex CLI keeps its login: `$CODEX_HOME/auth.json`, else `~/.codex/auth.json`. */
export function codexAuthFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  return [join(env.CODEX_HOME ?? join(homedir(), '.codex'), 'auth.json')];
}

/**
 * A refresh fence left in the store OpenClaw reads (OpenClaw ≥ 2026.9, openclaw#141477) whose owner is
 * gone (no live OpenClaw refresh lock), while a linked tool (Codex CLI's auth.json, another agent, a
 * clawkeep profile) holds a copy of that account provably fresher than the fenced generation. The fix
 * writes that copy over the fence (compare-and-set on the fence's claim), instead of a new login.
 * Copies around the agent itself (leftovers, backups) are the split-store check's, under the same rule.
 */
export function createFenceRecoveryCheck(
  o: { codexAuthFiles?: () => string[]; fenceGraceMs?: number } = {},
): Check {
  const codexFiles = o.codexAuthFiles ?? (() => codexAuthFiles());
  const grace = () => o.fenceGraceMs ?? fenceGraceMs();
  return {
    id: 'fence-recovery',
    title: 'No refresh fence left by a dead OpenClaw process when a fresher copy exists',
    writesOpenClawStore: true,
    async run(ctx) {
      const out: Finding[] = [];
      for (const view of ctx.agents()) {
        for (const fenced of fencedProfiles(view)) {
          const found = await findRecovery(ctx, view, fenced.profile, fenced.fence, codexFiles(), grace());
          if (!found) continue;
          out.push({
            check: 'fence-recovery',
            severity: 'error',
            code: 'fence_recoverable',
            home: view.home.dir,
            agentId: view.agent.id,
            profileId: fenced.profile.id,
            path: view.primary!.ref.path,
            fingerprints: { fresher: tokenFp(found.profile) },
            message: `OpenClaw left a ${fenced.fence.state} refresh fence (claim ${fenced.fence.claimId.slice(0, 8)}) and no process holds its refresh lock; ${found.where} holds a provably fresher copy of this account`,
            next: fixCommand(ctx, view.home.dir),
            fix: `write the copy from ${found.where} over the fence in ${view.primary!.ref.path}`,
          });
        }
      }
      return out;
    },
    async fix(ctx, finding) {
      return recover(ctx, finding, codexFiles(), grace());
    },
  };
}

function fencedProfiles(view: AgentView): Array<{ profile: OpenClawProfile; fence: RefreshFence }> {
  if (!view.primary?.result.ok) return [];
  const out: Array<{ profile: OpenClawProfile; fence: RefreshFence }> = [];
  for (const p of view.primary.result.contents.profiles) {
    const fence = parseRefreshFence(p);
    if (fence) out.push({ profile: p, fence });
  }
  return out;
}

async function findRecovery(
  ctx: DoctorContext,
  view: AgentView,
  fenced: OpenClawProfile,
  fence: RefreshFence,
  codexFiles: string[],
  graceMs: number,
): Promise<Candidate | null> {
  const now = ctx.now();
  const fenceAt = view.primary?.result.ok ? view.primary.result.contents.updatedAt : null;
  // A fence this recent may belong to a refresh still on the wire (its owner settles it).
  if (fenceAt !== null && now - fenceAt < graceMs) return null;
  // A live refresh lock means the owner may still settle its claim: never race it.
  if (heldOpenClawLocks(view.home.dir, now).some((l) => l.path.includes('oauth-refresh'))) return null;
  const all = [...ownCopies(view), ...(await outsideCopies(ctx, view, codexFiles))].filter(
    (c) => sameAccount(fenced, c.profile) && deadReason(c.profile, now) === null,
  );
  const fencedCopies = all.filter((c) => isFencedGeneration(fence, fenced, c.profile));
  let best: Candidate | null = null;
  for (const c of all) {
    if (!isProvablyFresherThanFence(fence, fenced, fenceAt, c, fencedCopies)) continue;
    if (!best || compareFreshness(c, best) > 0) best = c;
  }
  // A copy around the agent itself is split-store's repair; only outside copies are this check's.
  return best && !best.where.startsWith('agent-file:') ? best : null;
}

function ownCopies(view: AgentView): Candidate[] {
  const out: Candidate[] = [];
  for (const l of view.legacy) {
    if (!l.result.ok) continue;
    for (const p of l.result.contents.profiles)
      out.push({ profile: p, updatedAt: l.result.contents.updatedAt, where: `agent-file:${l.ref.path}` });
  }
  return out;
}

async function outsideCopies(
  ctx: DoctorContext,
  view: AgentView,
  codexFiles: string[],
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  // Every other agent of every state dir (the context may be scoped to one agent: scan anew).
  for (const dir of ctx.openclawHomes) {
    for (const agent of scanOpenClawHome(dir).agents) {
      if (dir === view.home.dir && agent.id === view.agent.id) continue;
      for (const ref of [...(agent.primary ? [agent.primary] : []), ...agent.legacy]) {
        const r = readProfilesFrom(ref);
        if (!r.ok) continue;
        for (const p of r.contents.profiles)
          out.push({ profile: p, updatedAt: r.contents.updatedAt, where: `${ref.path} (agent ${agent.id})` });
      }
    }
  }
  const store = ctx.clawkeepStore();
  if (store.kind === 'ok') {
    for (const p of store.inspection.profiles ?? []) {
      if (p.type !== 'oauth' || p.status !== 'ok') continue;
      out.push({
        profile: asOpenClaw(
          `clawkeep:${p.id}`,
          p.provider,
          p.access,
          p.refresh,
          p.expires,
          p.accountId,
          p.email,
        ),
        updatedAt: p.updatedAt,
        where: `clawkeep profile ${p.id}`,
      });
    }
  }
  for (const file of codexFiles) {
    try {
      const d = await readJsonDoc(file);
      const c = d ? readCodexCopy(d) : null;
      if (!c) continue;
      out.push({
        profile: asOpenClaw(
          'codex:default',
          'openai-codex',
          c.access,
          c.refresh,
          c.expires,
          c.accountId,
          c.email,
        ),
        updatedAt: c.updatedAt,
        where: `Codex CLI ${file}`,
      });
    } catch {
      // A malformed auth.json is the linked-source check's business, not a recovery source.
    }
  }
  return out;
}

function asOpenClaw(
  id: string,
  provider: string,
  access: string | null,
  refresh: string | null,
  expires: number | null,
  accountId: string | null,
  email: string | null,
): OpenClawProfile {
  return {
    id,
    type: 'oauth',
    provider,
    access,
    refresh,
    expires,
    accountId,
    email,
    secret: null,
    raw: { type: 'oauth', provider, access, refresh, expires },
  };
}

/** Same provider family and the same account (accountId, else email); token claims win over fields. */
function sameAccount(a: OpenClawProfile, b: OpenClawProfile): boolean {
  if (providerFamily(a.provider) !== providerFamily(b.provider)) return false;
  const acct = (p: OpenClawProfile) => {
    const auth = readJwtClaims(p.access)?.['https://api.openai.com/auth'] as
      | { chatgpt_account_id?: unknown }
      | undefined;
    return typeof auth?.chatgpt_account_id === 'string' ? auth.chatgpt_account_id : p.accountId;
  };
  const [x, y] = [acct(a), acct(b)];
  if (x && y) return x === y;
  return Boolean(a.email && b.email && a.email.toLowerCase() === b.email.toLowerCase());
}

async function recover(
  ctx: DoctorContext,
  finding: Finding,
  codexFiles: string[],
  graceMs: number,
): Promise<FixResult> {
  const view = findView(ctx, finding);
  const fenced = view ? fencedProfiles(view).find((f) => f.profile.id === finding.profileId) : undefined;
  if (!view?.primary || !fenced) return { status: 'unchanged', message: 'the fence is gone' };
  const best = await findRecovery(ctx, view, fenced.profile, fenced.fence, codexFiles, graceMs);
  if (!best)
    return {
      status: 'skipped',
      message: 'no provably fresher copy any more (or OpenClaw holds the refresh lock)',
    };
  const p = best.profile;
  const expires = p.expires ?? (readJwtClaims(p.access)?.exp ?? 0) * 1000;
  const outcome = writeProfileTo(
    view.primary.ref,
    {
      ...p,
      id: fenced.profile.id,
      provider: fenced.profile.provider,
      raw: {
        type: 'oauth',
        provider: fenced.profile.provider,
        access: p.access,
        refresh: p.refresh,
        expires,
      },
    },
    {
      now: ctx.now(),
      // Compare-and-set on the claim: if OpenClaw settled or re-fenced meanwhile, leave it.
      shouldReplace: (cur) => cur !== null && parseRefreshFence(cur)?.claimId === fenced.fence.claimId,
    },
  );
  return outcome.kind === 'written'
    ? {
        status: 'fixed',
        message: `replaced the refresh fence of ${outcome.id} in ${view.primary.ref.path} with the copy from ${best.where} (refresh ${tokenFp(p)}); read back OK`,
      }
    : { status: 'unchanged', message: 'OpenClaw settled the claim meanwhile; left as is' };
}

export const fenceRecoveryCheck: Check = createFenceRecoveryCheck();
