import { readOpenAiIdentity } from '../providers/openai-codex.js';
import type { Profile } from '../store/types.js';
import { readJwtClaims } from '../util/jwt.js';
import { isWritable, judgeWrite } from './account.js';
import type { LinkedAdapter, SourceCopy } from './adapter.js';
import {
  type JsonDoc,
  objectField,
  optionalString,
  readJsonDoc,
  stringField,
  writeJsonDoc,
} from './json-file.js';

/**
 * Codex CLI's `$CODEX_HOME/auth.json`:
 * `{auth_mode?, OPENAI_API_KEY, tokens?: {id_token, access_token, refresh_token, account_id?}, last_refresh?}`.
 */
export function readCodexCopy(d: JsonDoc): SourceCopy | null {
  if (d.doc.tokens === undefined || d.doc.tokens === null) return null;
  const tokens = objectField(d.path, d.doc, 'tokens');
  const access = stringField(d.path, tokens, 'access_token', 'tokens.access_token');
  const refresh = stringField(d.path, tokens, 'refresh_token', 'tokens.refresh_token');
  const idToken = optionalString(d.path, tokens, 'id_token', 'tokens.id_token');
  const claims = readJwtClaims(access);
  const lastRefresh = Date.parse(optionalString(d.path, d.doc, 'last_refresh') ?? '');
  const updatedAt = Number.isFinite(lastRefresh) ? lastRefresh : d.mtimeMs;
  const identity = readOpenAiIdentity(access, idToken);
  return {
    provider: 'openai-codex',
    access,
    refresh,
    // Codex access tokens are JWTs; an opaque one is treated as already expired.
    expires: claims?.exp ? claims.exp * 1000 : 0,
    issuedAt: claims?.iat ? claims.iat * 1000 : updatedAt,
    accountId: optionalString(d.path, tokens, 'account_id', 'tokens.account_id') ?? identity.accountId,
    email: identity.email,
    updatedAt,
    label: 'tokens',
  };
}

export const codexAuthJson: LinkedAdapter = {
  kind: 'codex-auth-json',

  async read(location: string, profile: Profile) {
    if (profile.provider !== 'openai-codex') return null;
    const d = await readJsonDoc(location);
    return d ? readCodexCopy(d) : null;
  },

  async write(location: string, p: Profile) {
    if (p.provider !== 'openai-codex' || !isWritable(p)) return 'skipped';
    const d = await readJsonDoc(location);
    // A removed auth.json means the user logged Codex out: do not log it back in.
    if (!d) return 'skipped';
    const verdict = judgeWrite(location, readCodexCopy(d), p);
    if (verdict !== 'write') return verdict;
    const tokens = (d.doc.tokens && typeof d.doc.tokens === 'object' ? d.doc.tokens : {}) as Record<
      string,
      unknown
    >;
    d.doc.tokens = {
      ...tokens,
      access_token: p.access,
      refresh_token: p.refresh,
      ...(tokens.account_id === undefined && p.accountId ? { account_id: p.accountId } : {}),
    };
    d.doc.last_refresh = new Date().toISOString();
    await writeJsonDoc(d);
    return 'written';
  },
};
