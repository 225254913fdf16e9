import { createHash } from 'node:crypto';
import type { OAuthProviderId } from './tokens.js';

/** The provider-side identity behind a family of tokens. Ids derive from the email, so one email is one account. */
export interface Account {
  email: string;
  /** `chatgpt_account_id` for openai-codex, `account.uuid` for anthropic. */
  accountId: string;
  userId: string;
  subject: string;
  orgId: string;
  orgName: string;
}

export const DEFAULT_EMAIL = 'user@clawkeep.test';

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

function uuidFrom(hex: string): string {
  const h = `${hex.slice(0, 12)}4${hex.slice(13, 16)}8${hex.slice(17, 32)}`;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Builds the account for `email` (default fake user when absent); `accountId` overrides the derived one. */
export function createAccount(
  provider: OAuthProviderId,
  opts: { email?: string | undefined; accountId?: string | undefined } = {},
): Account {
  const email = opts.email?.trim() || DEFAULT_EMAIL;
  const seed = digest(provider, email.toLowerCase());
  return {
    email,
    accountId: opts.accountId ?? uuidFrom(digest('account', seed)),
    userId: `user-${digest('user', seed).slice(0, 24)}`,
    subject:
      provider === 'openai-codex'
        ? `auth0|${digest('sub', seed).slice(0, 24)}`
        : uuidFrom(digest('sub', seed)),
    orgId: uuidFrom(digest('org', seed)),
    orgName: `${email}'s Organization`,
  };
}
