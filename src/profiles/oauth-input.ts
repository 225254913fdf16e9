import { z } from 'zod';
import { ClawkeepError } from '../errors.js';
import { readOpenAiIdentity } from '../providers/openai-codex.js';
import type { ProfileInput } from '../store/types.js';
import { jsonErrorPosition } from '../util/json-error.js';
import { readJwtClaims } from '../util/jwt.js';

const OAuthJson = z.object({
  access: z.string().min(1),
  refresh: z.string().min(1),
  expires: z.union([z.number(), z.string()], { error: 'expected epoch milliseconds (a number)' }),
  accountId: z.string().min(1).optional(),
  email: z.string().min(1).optional(),
});

/** Longest an access token is believed to live; anything later is a unit mix-up, not a token. */
const MAX_LIFETIME_MS = 400 * 24 * 3_600_000;

/**
 * `expires` as epoch milliseconds. A value that can only be epoch seconds, or an ISO date, is
 * converted with a notice; one in the past or absurdly far ahead is refused, naming the field.
 */
export function normalizeExpires(
  value: number | string,
  now: number,
  source = 'stdin',
): { expires: number; notice: string | null } {
  let ms: number;
  let notice: string | null = null;
  const iso = new Date(now).toISOString();
  if (typeof value === 'string') {
    ms = /^\d{4}-\d\d-\d\d/.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms))
      throw new ClawkeepError(
        'usage',
        `${source}: expires: "${value}" is neither epoch milliseconds nor an ISO date (e.g. ${iso})`,
      );
    notice = `expires "${value}" read as an ISO date: ${ms} (epoch ms)`;
  } else {
    if (!Number.isFinite(value) || !Number.isInteger(value) || value <= 0)
      throw new ClawkeepError(
        'usage',
        `${source}: expires: ${value} is not epoch milliseconds (a positive whole number)`,
      );
    ms = value;
    // 1e11 ms is 1973; 1e11 s is year 5138: below it, only seconds make sense.
    if (value < 1e11) {
      ms = value * 1000;
      notice = `expires ${value} looks like epoch seconds; stored as ${ms} ms (${new Date(ms).toISOString()})`;
    }
  }
  if (ms <= now)
    throw new ClawkeepError(
      'usage',
      `${source}: expires: ${new Date(ms).toISOString()} is in the past (now ${iso}); give the access token's real expiry in epoch milliseconds`,
    );
  if (ms - now > MAX_LIFETIME_MS)
    throw new ClawkeepError(
      'usage',
      `${source}: expires: ${new Date(ms).toISOString()} is more than 400 days ahead; expected epoch milliseconds (e.g. ${now + 3_600_000} for one hour from now)`,
    );
  return { expires: ms, notice };
}

/**
 * Validates `{"access","refresh","expires"}` (plus optional accountId/email) for `profiles add-oauth`;
 * errors name the field and what was expected. Identity and issue time come from JWT claims when present.
 */
export function parseOAuthInput(
  id: string,
  provider: string,
  text: string,
  source = 'stdin',
  now = Date.now(),
): { input: ProfileInput; notices: string[] } {
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
  const { expires, notice } = normalizeExpires(v.expires, now, source);
  const claims = readJwtClaims(v.access);
  const identity =
    provider === 'openai-codex' ? readOpenAiIdentity(v.access) : { accountId: null, email: null };
  const input: ProfileInput = {
    id,
    type: 'oauth',
    access: v.access,
    refresh: v.refresh,
    expires,
    issuedAt: claims?.iat ? claims.iat * 1000 : null,
    accountId: v.accountId ?? identity.accountId,
    email: v.email ?? identity.email,
  };
  return { input, notices: notice ? [notice] : [] };
}
