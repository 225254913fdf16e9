import type { Account } from './accounts.js';
import type { ReusePolicy } from './reuse-policy.js';
import { newId, newRefreshToken, type OAuthProviderId } from './tokens.js';

/** One login's chain of refresh tokens; each rotation consumes the current token and issues the next. */
export interface Family {
  readonly id: string;
  readonly provider: OAuthProviderId;
  readonly account: Account;
  current: string;
  revokedAt: number | null;
}

interface RefreshRecord {
  familyId: string;
  consumedAt: number | null;
  successor: string | null;
}

interface AccessRecord {
  familyId: string;
  expiresAt: number;
}

/** What presenting a refresh token led to. */
export type RefreshOutcome =
  | { kind: 'rotated'; family: Family; refresh: string }
  | { kind: 'grace'; family: Family; refresh: string }
  | { kind: 'reused'; family: Family }
  | { kind: 'invalidated'; family: Family }
  | { kind: 'unknown' };

export type AccessCheck =
  | { status: 'ok'; family: Family }
  | { status: 'expired' }
  | { status: 'revoked' }
  | { status: 'unknown' };

export interface LedgerCounters {
  refreshes: { total: number; byFamily: Record<string, number>; byProvider: Record<string, number> };
  rotations: number;
  reuseHits: number;
  graceHits: number;
  revokedFamilies: string[];
  families: number;
}

/** Token families, single-use refresh tokens and the reuse policy: the emulator's source of truth. */
export class Ledger {
  policy: ReusePolicy;
  #families = new Map<string, Family>();
  #refresh = new Map<string, RefreshRecord>();
  #access = new Map<string, AccessRecord>();
  #refreshesByFamily = new Map<string, number>();
  #refreshesByProvider = new Map<string, number>();
  #refreshes = 0;
  #rotations = 0;
  #reuseHits = 0;
  #graceHits = 0;

  constructor(policy: ReusePolicy) {
    this.policy = policy;
  }

  /** Starts a family (a login or a mint) and returns it with its first refresh token in `current`. */
  startFamily(provider: OAuthProviderId, account: Account): Family {
    const family: Family = {
      id: newId('fam', 8),
      provider,
      account,
      current: newRefreshToken(provider),
      revokedAt: null,
    };
    this.#families.set(family.id, family);
    this.#refresh.set(family.current, { familyId: family.id, consumedAt: null, successor: null });
    return family;
  }

  /** Presents `token` to the refresh grant of `provider` and applies the reuse policy. */
  refresh(provider: OAuthProviderId, token: string, now: number): RefreshOutcome {
    this.#refreshes += 1;
    bump(this.#refreshesByProvider, provider);
    const record = this.#refresh.get(token);
    const family = record && this.#families.get(record.familyId);
    if (!record || !family || family.provider !== provider) return { kind: 'unknown' };
    bump(this.#refreshesByFamily, family.id);

    if (record.consumedAt === null) {
      if (family.revokedAt !== null) return { kind: 'invalidated', family };
      const next = newRefreshToken(provider);
      record.consumedAt = now;
      record.successor = next;
      family.current = next;
      this.#refresh.set(next, { familyId: family.id, consumedAt: null, successor: null });
      this.#rotations += 1;
      return { kind: 'rotated', family, refresh: next };
    }

    const policy = this.policy;
    if (
      family.revokedAt === null &&
      policy.kind === 'grace' &&
      record.successor !== null &&
      now - record.consumedAt <= policy.seconds * 1000
    ) {
      this.#graceHits += 1;
      return { kind: 'grace', family, refresh: record.successor };
    }
    this.#reuseHits += 1;
    if (policy.kind === 'family' && family.revokedAt === null) family.revokedAt = now;
    return { kind: 'reused', family };
  }

  /**
   * Revokes the login a refresh token belongs to (any token of its family, spent or live), as a
   * provider does when the user signs out everywhere or the account is taken down: its access tokens
   * and its live refresh token are refused from now on. False when the token is unknown.
   */
  revokeFamilyOf(token: string, now: number): boolean {
    const record = this.#refresh.get(token);
    const family = record && this.#families.get(record.familyId);
    if (!family) return false;
    family.revokedAt ??= now;
    return true;
  }

  /** Remembers an access token (a JWT's `jti` or an opaque token) so model endpoints can check it. */
  recordAccess(key: string, familyId: string, expiresAt: number): void {
    this.#access.set(key, { familyId, expiresAt });
  }

  checkAccess(key: string, now: number): AccessCheck {
    const record = this.#access.get(key);
    const family = record && this.#families.get(record.familyId);
    if (!record || !family) return { status: 'unknown' };
    if (family.revokedAt !== null) return { status: 'revoked' };
    if (record.expiresAt <= now) return { status: 'expired' };
    return { status: 'ok', family };
  }

  counters(): LedgerCounters {
    return {
      refreshes: {
        total: this.#refreshes,
        byFamily: Object.fromEntries(this.#refreshesByFamily),
        byProvider: Object.fromEntries(this.#refreshesByProvider),
      },
      rotations: this.#rotations,
      reuseHits: this.#reuseHits,
      graceHits: this.#graceHits,
      revokedFamilies: [...this.#families.values()].filter((f) => f.revokedAt !== null).map((f) => f.id),
      families: this.#families.size,
    };
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
