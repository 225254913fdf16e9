import type { Profile } from '../store/types.js';
import { isWritable, judgeWrite } from './account.js';
import type { LinkedAdapter, SourceCopy } from './adapter.js';
import {
  type JsonDoc,
  objectField,
  readJsonDoc,
  sourceInvalid,
  stringField,
  writeJsonDoc,
} from './json-file.js';

/**
 * Claude Code's `~/.claude/.credentials.json`:
 * `{claudeAiOauth: {accessToken, refreshToken, expiresAt (epoch ms), scopes, subscriptionType, …}, …}`.
 * The tokens are opaque: identity comes from Claude Code's `.claude.json` when the importer finds it.
 */
export function readClaudeCopy(d: JsonDoc): SourceCopy | null {
  if (d.doc.claudeAiOauth === undefined || d.doc.claudeAiOauth === null) return null;
  const o = objectField(d.path, d.doc, 'claudeAiOauth');
  const access = stringField(d.path, o, 'accessToken', 'claudeAiOauth.accessToken');
  const refresh = stringField(d.path, o, 'refreshToken', 'claudeAiOauth.refreshToken');
  const expires = o.expiresAt;
  if (typeof expires !== 'number' || !Number.isFinite(expires) || expires <= 0) {
    throw sourceInvalid(d.path, 'claudeAiOauth.expiresAt', 'epoch milliseconds (a positive number)');
  }
  return {
    provider: 'anthropic',
    access,
    refresh,
    expires,
    // Claude Code rewrites the file when it refreshes, so its time is the best issue time there is.
    issuedAt: Math.min(d.mtimeMs, expires),
    accountId: null,
    email: null,
    updatedAt: d.mtimeMs,
    label: 'claudeAiOauth',
  };
}

export const claudeCredentials: LinkedAdapter = {
  kind: 'claude-credentials',

  async read(location: string, profile: Profile) {
    if (profile.provider !== 'anthropic') return null;
    const d = await readJsonDoc(location);
    return d ? readClaudeCopy(d) : null;
  },

  async write(location: string, p: Profile) {
    if (p.provider !== 'anthropic' || !isWritable(p)) return 'skipped';
    const d = await readJsonDoc(location);
    if (!d) return 'skipped';
    const verdict = judgeWrite(location, readClaudeCopy(d), p);
    if (verdict !== 'write') return verdict;
    const o = (
      d.doc.claudeAiOauth && typeof d.doc.claudeAiOauth === 'object' ? d.doc.claudeAiOauth : {}
    ) as Record<string, unknown>;
    d.doc.claudeAiOauth = { ...o, accessToken: p.access, refreshToken: p.refresh, expiresAt: p.expires };
    await writeJsonDoc(d);
    return 'written';
  },
};
