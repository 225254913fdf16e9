import { ClawkeepError } from '../errors.js';
import { getProvider } from '../providers/registry.js';
import {
  removeProfileWithBackup as removeWithBackup,
  requireProfile,
  saveProfile,
} from '../store/profile-admin.js';
import { formatProfileId } from '../store/profile-id.js';
import type { Profile, Store } from '../store/types.js';

/**
 * The profile actions the CLI and the dashboard share, so their rules hold in both: saving never
 * replaces without `force`, removal always writes a backup first, a `needs_reauth` profile cannot be
 * simply enabled.
 */

// Reading and saving have one home, shared with the CLI commands.
export { requireProfile, saveProfile };

/** Stores an API key as `<provider>:<name>`; the key is never echoed back. */
export async function saveApiKey(
  store: Store,
  o: { provider: string; name: string; key: string; force: boolean },
): Promise<Profile> {
  getProvider(o.provider);
  const id = formatProfileId(o.provider, o.name);
  const key = o.key.trim();
  if (!key) throw new ClawkeepError('usage', 'the API key is empty; paste the key itself');
  if (/\s/.test(key)) throw new ClawkeepError('usage', 'the API key contains whitespace; paste only the key');
  return saveProfile(store, { id, type: 'api_key', access: key }, { force: o.force });
}

/** Writes a 0600 backup of the profile under `<home>/backups`, then removes it. Returns the backup path. */
export async function removeProfileWithBackup(
  store: Store,
  home: string,
  id: string,
  now = Date.now(),
): Promise<string> {
  // One backup writer for the CLI and the dashboard (src/store/profile-admin.ts).
  return removeWithBackup(store, home, await requireProfile(store, id), now);
}

/** Enables or disables a profile; a profile that needs re-authentication is not enabled by a flag flip. */
export { setProfileEnabled } from '../store/profile-admin.js';
