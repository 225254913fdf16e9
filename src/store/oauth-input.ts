import { z } from 'zod';
import { ClawkeepError } from '../errors.js';
import { readOpenAiIdentity } from '../providers/openai-codex.js';
import { jsonErrorPosition } from '../util/json-error.js';
import { readJwtClaims } from '../util/jwt.js';
import type { ProfileInput } from './types.js';

const OAuthJson = z.object({
  access: z.string().min(1),
  refresh: z.string().min(1),
  expires: z.number().int().positive().describe('epoch milliseconds'),
  accountId: z.string().min(1).optional(),
  email: z.string().min(1).optional(),
});

/**
 * Validates `{"access","refresh","expires"}` (plus optional accountId/email) for `profiles add-oauth`;
 * errors name the field and what was expected. Identity and issue time come from JWT claims when present.
 */
export function parseOAuthInput(id: string, provider: string, text: string, source = 'stdin'): ProfileInput {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ClawkeepError(
      'usage',
      `${source}: not valid JSON ${jsonErrorPosition(text)}; expected {"access","refresh","expires"}`,
    );
  }
  const parsed = OAuthJson.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ClawkeepError(
      'usage',
      `${source}: ${issues}. Expected {"access": string, "refresh": string, "expires": epoch ms}`,
    );
  }
  const v = parsed.data;
  const claims = readJwtClaims(v.access);
  const identity =
    provider === 'openai-codex' ? readOpenAiIdentity(v.access) : { accountId: null, email: null };
  return {
    id,
    type: 'oauth',
    access: v.access,
    refresh: v.refresh,
    expires: v.expires,
    issuedAt: claims?.iat ? claims.iat * 1000 : null,
    accountId: v.accountId ?? identity.accountId,
    email: v.email ?? identity.email,
  };
}
