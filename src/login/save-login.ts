import type { LinkedSources } from '../broker/linked.js';
import { ClawkeepError } from '../errors.js';
import { sameAccount } from '../linked/account.js';
import type { Profile, RotatedTokens, Store } from '../store/types.js';

export type SaveAction = 'created' | 'replaced';

/**
 * Stores a fresh login under `id`. A new id is created; the same account replaces the credential
 * (generation +1, clears needs_reauth); another account, or one clawkeep cannot tell, needs `force`.
 */
export async function saveLogin(
  store: Store,
  id: string,
  t: RotatedTokens,
  o: { force: boolean; now?: number },
): Promise<{ profile: Profile; action: SaveAction }> {
  const now = o.now ?? Date.now();
  const input = {
    id,
    type: 'oauth' as const,
    access: t.access,
    refresh: t.refresh,
    expires: t.expires,
    issuedAt: t.issuedAt,
    accountId: t.accountId ?? null,
    email: t.email ?? null,
  };
  const existing = await store.getProfile(id);
  if (!existing) return { profile: await store.insertProfile(input, now), action: 'created' };
  const same = existing.type === 'oauth' ? sameAccount(existing, t) : false;
  if (same !== true && !o.force) {
    const held = existing.email ?? existing.accountId ?? `an unidentified ${existing.type} credential`;
    const got = t.email ?? t.accountId ?? 'an unidentified account';
    throw new ClawkeepError(
      'profile_exists',
      same === false
        ? `${id} holds ${held}, but you signed in as ${got}; nothing was stored. Pick another --name, or pass --force to replace it`
        : `${id} holds ${held} and clawkeep cannot tell whether ${got} is the same account; nothing was stored. Pass --force to replace it`,
      { details: { id } },
    );
  }
  return { profile: await store.replaceProfile(input, now), action: 'replaced' };
}

/**
 * The login-and-save sequence's tail, shared by `models auth login` and the dashboard: store the
 * login, then write it back to the profile's linked sources. A failed write-back is a warning, not a
 * failure: the store already holds the credential.
 */
export async function saveLoginAndLink(
  store: Store,
  linked: Pick<LinkedSources, 'writeBack'> | undefined,
  id: string,
  t: RotatedTokens,
  o: { force: boolean },
): Promise<{ profile: Profile; action: SaveAction; warnings: string[] }> {
  const { profile, action } = await saveLogin(store, id, t, o);
  const warnings: string[] = [];
  try {
    await linked?.writeBack(profile);
  } catch (err) {
    warnings.push((err as Error).message);
  }
  return { profile, action, warnings };
}
