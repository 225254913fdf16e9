import { existsSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { readOpenAiIdentity } from '../providers/openai-codex.js';
import type { Profile } from '../store/types.js';
import { readJwtClaims } from '../util/jwt.js';
import { isWritable, judgeWrite } from './account.js';
import type { LinkedAdapter, SourceCopy, WriteOutcome } from './adapter.js';
import {
  type JsonDoc,
  optionalString,
  readJsonDoc,
  sourceInvalid,
  stringField,
  writeJsonDoc,
} from './json-file.js';

/** pi's provider keys that clawkeep can hold (pi-mono `OAuthProvider`). */
export const PI_PROVIDERS = ['openai-codex', 'anthropic'] as const;

// pi stores Anthropic expiries 5 minutes early (pi-mono `utils/oauth/anthropic.ts`); Codex ones exact.
const EXPIRY_SKEW_MS: Record<string, number> = { anthropic: 5 * 60 * 1000 };
const skew = (provider: string) => EXPIRY_SKEW_MS[provider] ?? 0;

/**
 * pi's `~/.pi/agent/auth.json`: one entry per provider,
 * `{"<provider>": {type: "oauth", access, refresh, expires (epoch ms), accountId?, email?} | {type: "api_key", key}}`.
 * Returns null when the provider has no OAuth entry.
 */
export function readPiCopy(d: JsonDoc, provider: string): SourceCopy | null {
  const entry = d.doc[provider];
  if (entry === undefined || entry === null) return null;
  if (typeof entry !== 'object' || Array.isArray(entry)) throw sourceInvalid(d.path, provider, 'an object');
  const e = entry as Record<string, unknown>;
  if (e.type !== 'oauth') return null;
  const access = stringField(d.path, e, 'access', `${provider}.access`);
  const refresh = stringField(d.path, e, 'refresh', `${provider}.refresh`);
  if (typeof e.expires !== 'number' || !Number.isFinite(e.expires) || e.expires <= 0) {
    throw sourceInvalid(d.path, `${provider}.expires`, 'epoch milliseconds (a positive number)');
  }
  const claims = readJwtClaims(access);
  const identity =
    provider === 'openai-codex' ? readOpenAiIdentity(access) : { accountId: null, email: null };
  const expires = e.expires + skew(provider);
  return {
    provider,
    access,
    refresh,
    expires,
    issuedAt: claims?.iat ? claims.iat * 1000 : Math.min(d.mtimeMs, expires),
    accountId: identity.accountId ?? optionalString(d.path, e, 'accountId', `${provider}.accountId`),
    email: identity.email ?? optionalString(d.path, e, 'email', `${provider}.email`),
    updatedAt: d.mtimeMs,
    label: provider,
  };
}

export const piAuth: LinkedAdapter = {
  kind: 'pi-auth',

  async read(location: string, profile: Profile) {
    const d = await readJsonDoc(location);
    return d ? readPiCopy(d, profile.provider) : null;
  },

  async write(location: string, p: Profile) {
    if (!isWritable(p)) return 'skipped';
    if (!existsSync(location)) return 'skipped';
    // pi serialises its own writes with proper-lockfile on auth.json (auth.json.lock): take the same lock.
    const release = await lockfile.lock(location, {
      realpath: false,
      stale: 30_000,
      retries: { retries: 20, factor: 1.5, minTimeout: 50, maxTimeout: 1000 },
    });
    try {
      return await writeLocked(location, p);
    } finally {
      await release().catch(() => undefined);
    }
  },
};

async function writeLocked(
  location: string,
  p: Profile & { access: string; refresh: string; expires: number },
): Promise<WriteOutcome> {
  const d = await readJsonDoc(location);
  if (!d) return 'skipped';
  const held = readPiCopy(d, p.provider);
  // pi logged this provider out (or holds an API key for it): leave that alone.
  if (!held) return 'skipped';
  const verdict = judgeWrite(location, held, p);
  if (verdict !== 'write') return verdict;
  const entry = d.doc[p.provider] as Record<string, unknown>;
  d.doc[p.provider] = {
    ...entry,
    access: p.access,
    refresh: p.refresh,
    expires: p.expires - skew(p.provider),
    ...(entry.accountId === undefined && p.accountId && p.provider === 'openai-codex'
      ? { accountId: p.accountId }
      : {}),
  };
  await writeJsonDoc(d);
  return 'written';
}
