import { basename, dirname, resolve } from 'node:path';
import { ClawkeepError } from '../errors.js';
import {
  canonicalProfileId,
  isFenceMarker,
  type OpenClawProfile,
  readProfilesFrom,
  type StoreRef,
  scanOpenClawHome,
  writeProfileTo,
} from '../openclaw/index.js';
import { readOpenAiIdentity } from '../providers/openai-codex.js';
import type { Profile } from '../store/types.js';
import { readJwtClaims } from '../util/jwt.js';
import { isWritable, judgeWrite } from './account.js';
import type { LinkedAdapter, SourceCopy } from './adapter.js';

/**
 * An OpenClaw agent's credential store, whatever its era: location `<state>/agents/<id>/agent#<profile id>`.
 * The agent's primary store (the one its runtime reads) is found anew on every call, so an OpenClaw
 * upgrade that migrates JSON to SQLite keeps working. Reading and writing go through `src/openclaw`.
 */
export function openclawLocation(agentDir: string, openclawProfileId: string): string {
  return `${agentDir}#${openclawProfileId}`;
}

/** clawkeep's provider for an OpenClaw OAuth profile (`openai` after 2026.6 is the Codex login). */
export function clawkeepProviderOf(p: OpenClawProfile): string | null {
  if (p.provider === 'openai-codex' || p.provider === 'openai') return 'openai-codex';
  if (p.provider === 'anthropic') return 'anthropic';
  return null;
}

/** The clawkeep view of an OpenClaw OAuth profile; null for other types, providers, or no tokens. */
export function openclawCopy(p: OpenClawProfile, updatedAt: number | null, label: string): SourceCopy | null {
  const provider = clawkeepProviderOf(p);
  if (p.type !== 'oauth' || !provider || !p.access || !p.refresh) return null;
  const claims = readJwtClaims(p.access);
  const identity =
    provider === 'openai-codex' ? readOpenAiIdentity(p.access) : { accountId: null, email: null };
  const expires = p.expires ?? (claims?.exp ? claims.exp * 1000 : 0);
  return {
    provider,
    access: p.access,
    refresh: p.refresh,
    expires,
    issuedAt: claims?.iat ? claims.iat * 1000 : Math.min(updatedAt ?? expires, expires),
    // The token's own claims outrank the record's fields, which a re-login may have left behind.
    accountId: identity.accountId ?? p.accountId,
    email: identity.email ?? p.email,
    updatedAt,
    label,
  };
}

function parseLocation(location: string): { stateDir: string; agentId: string; profileId: string } {
  const at = location.lastIndexOf('#');
  if (at <= 0)
    throw new ClawkeepError('source_invalid', `${location}: not an OpenClaw agent location (DIR#PROFILE)`);
  const agentDir = resolve(location.slice(0, at));
  return {
    stateDir: resolve(agentDir, '..', '..', '..'),
    agentId: basename(dirname(agentDir)),
    profileId: location.slice(at + 1),
  };
}

function primaryStore(location: string): { store: StoreRef; profileId: string } | null {
  const { stateDir, agentId, profileId } = parseLocation(location);
  const agent = scanOpenClawHome(stateDir, { agentId }).agents.find((a) => a.id === agentId);
  return agent?.primary ? { store: agent.primary, profileId } : null;
}

function findProfile(profiles: OpenClawProfile[], id: string): OpenClawProfile | undefined {
  return (
    profiles.find((p) => p.id === id) ??
    profiles.find((p) => canonicalProfileId(p.id) === canonicalProfileId(id))
  );
}

export const openclawAgent: LinkedAdapter = {
  kind: 'openclaw-agent',

  async read(location: string, profile: Profile) {
    const found = primaryStore(location);
    if (!found) return null;
    const r = readProfilesFrom(found.store);
    if (!r.ok)
      throw new ClawkeepError('source_invalid', r.problem.message, { details: { path: r.problem.path } });
    const p = findProfile(r.contents.profiles, found.profileId);
    const copy = p ? openclawCopy(p, r.contents.updatedAt, p.id) : null;
    return copy && copy.provider === profile.provider ? copy : null;
  },

  async write(location: string, p: Profile) {
    if (!isWritable(p)) return 'skipped';
    const found = primaryStore(location);
    if (!found) return 'skipped';
    const outcome = writeProfileTo(
      found.store,
      {
        id: found.profileId,
        type: 'oauth',
        provider: found.profileId.split(':')[0] ?? p.provider,
        access: p.access,
        refresh: p.refresh,
        expires: p.expires,
        accountId: p.accountId,
        email: p.email,
        secret: null,
        raw: {
          type: 'oauth',
          provider: found.profileId.split(':')[0] ?? p.provider,
          access: p.access,
          refresh: p.refresh,
          expires: p.expires,
        },
      },
      {
        now: Date.now(),
        shouldReplace: (current) => {
          // The agent no longer holds this profile (logged out, removed): do not put it back.
          if (current?.type !== 'oauth') return false;
          // A refresh fence means OpenClaw lost the token: live tokens are exactly what it needs.
          if (isFenceMarker(current.access) || isFenceMarker(current.refresh)) return true;
          return judgeWrite(location, openclawCopy(current, null, current.id), p) === 'write';
        },
      },
    );
    return outcome.kind === 'written' ? 'written' : 'skipped';
  },
};
