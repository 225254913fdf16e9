import { join } from 'node:path';
import { ClawkeepError } from '../errors.js';
import { assertNoSymlinkBelow, writeNewPrivateFile } from '../util/files.js';
import { invokedAs } from '../util/invoked-as.js';
import { sealBackup } from './crypto/sealed-backups.js';
import { TokenCodec } from './crypto/token-codec.js';
import { profileNotFound } from './profile-id.js';
import type { Profile, ProfileInput, Store } from './types.js';

/** The profile, or `profile_not_found` naming it. */
export async function requireProfile(store: Store, id: string): Promise<Profile> {
  const p = await store.getProfile(id);
  if (!p) throw profileNotFound(id);
  return p;
}

/** Inserts a new profile; an existing one is replaced (generation + 1) only with `force`. */
export async function saveProfile(
  store: Store,
  input: ProfileInput,
  o: { force: boolean; now?: number },
): Promise<Profile> {
  const now = o.now ?? Date.now();
  if (!(await store.getProfile(input.id))) return store.insertProfile(input, now);
  if (!o.force) {
    throw new ClawkeepError(
      'profile_exists',
      `profile ${input.id} already exists; pass --force to replace it`,
      {
        details: { id: input.id },
      },
    );
  }
  return store.replaceProfile(input, now);
}

/** Where `removeProfileWithBackup` keeps removed profiles. */
export function backupsDir(home: string): string {
  return join(home, 'backups');
}

/** Removes a profile after writing a 0600 backup of it (never over an existing file). Returns the backup path. */
export async function removeProfileWithBackup(
  store: Store,
  home: string,
  profile: Profile,
  now = Date.now(),
): Promise<string> {
  const backup = join(backupsDir(home), `profile-${profile.id.replace(/[^a-z0-9._-]/gi, '_')}-${now}.json`);
  // Never write through a link out of the home (a symlinked backups/).
  assertNoSymlinkBelow(home, backup);
  // While encryption is on, the backup's tokens are sealed with the store's key too.
  const sealed = sealBackup(new TokenCodec({ home }), await store.tokenKeyId(), profile);
  writeNewPrivateFile(backup, `${JSON.stringify(sealed, null, 2)}\n`);
  await store.removeProfile(profile.id, now);
  return backup;
}

/** enable/disable; a profile waiting for a new login cannot be enabled. */
export async function setProfileEnabled(
  store: Store,
  id: string,
  enabled: boolean,
  now = Date.now(),
): Promise<Profile> {
  const p = await requireProfile(store, id);
  if (enabled && p.status === 'needs_reauth') {
    throw new ClawkeepError('usage', `${id} needs re-authentication, not enabling: log in again`, {
      details: { profileId: id },
      hint: `${invokedAs()} models auth login --provider ${p.provider} --name ${p.name}`,
    });
  }
  const updated = await store.setStatus(id, enabled ? 'ok' : 'disabled', now);
  if (!updated) throw profileNotFound(id);
  return updated;
}
