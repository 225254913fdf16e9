import { createHash } from 'node:crypto';
import type { Account } from './accounts.js';
import { type OAuthProviderId, randomChars } from './tokens.js';

const CODE_TTL_MS = 10 * 60 * 1000;

interface PendingCode {
  provider: OAuthProviderId;
  clientId: string;
  redirectUri: string;
  challenge: string;
  state: string;
  account: Account;
  expiresAt: number;
}

export interface Redemption {
  provider: OAuthProviderId;
  code: string;
  verifier: string | undefined;
  redirectUri: string | undefined;
  /** Checked only when the client sends it (Anthropic's token request carries it). */
  state: string | undefined;
}

export type RedeemResult = { ok: true; account: Account } | { ok: false; description: string };

/** True when `verifier` hashes to `challenge` under PKCE S256 (RFC 7636 §4.6). */
export function verifyS256(verifier: string, challenge: string): boolean {
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}

/** Authorization codes: single-use (any redemption attempt consumes one), short-lived, PKCE-bound. */
export class AuthCodes {
  #codes = new Map<string, PendingCode>();

  issue(pending: Omit<PendingCode, 'expiresAt'>, now: number): string {
    const code = randomChars(32);
    this.#codes.set(code, { ...pending, expiresAt: now + CODE_TTL_MS });
    return code;
  }

  redeem(r: Redemption, now: number): RedeemResult {
    const pending = this.#codes.get(r.code);
    if (!pending || pending.provider !== r.provider) return fail('Invalid authorization code');
    this.#codes.delete(r.code);
    if (pending.expiresAt <= now) return fail('Authorization code has expired');
    if (!r.verifier || !verifyS256(r.verifier, pending.challenge)) return fail('Invalid code_verifier');
    if (r.redirectUri !== pending.redirectUri) {
      return fail('redirect_uri does not match the authorization request');
    }
    if (r.state !== undefined && r.state !== pending.state) {
      return fail('state does not match the authorization request');
    }
    return { ok: true, account: pending.account };
  }
}

function fail(description: string): RedeemResult {
  return { ok: false, description };
}
