import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isClawkeepError } from '../errors.js';
import { openStore } from './open-store.js';
import { removeProfileWithBackup, requireProfile, saveProfile, setProfileEnabled } from './profile-admin.js';
import type { Store } from './types.js';

describe('profile administration', () => {
  let home: string;
  let store: Store;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'clawkeep-admin-'));
    store = openStore({ home }).store;
  });
  afterEach(async () => {
    await store.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('saves, refuses to replace without force, replaces with force (generation + 1)', async () => {
    const input = { id: 'openai:k', type: 'api_key' as const, access: 'fake-key-1' };
    expect((await saveProfile(store, input, { force: false })).generation).toBe(1);
    await expect(saveProfile(store, { ...input, access: 'fake-key-2' }, { force: false })).rejects.toSatisfy(
      (e: unknown) => isClawkeepError(e, 'profile_exists'),
    );
    expect((await saveProfile(store, { ...input, access: 'fake-key-2' }, { force: true })).generation).toBe(
      2,
    );
  });

  it('removes only after a 0600 backup holding the whole profile', async () => {
    await saveProfile(store, { id: 'openai:k', type: 'api_key', access: 'fake-key-1' }, { force: false });
    const p = await requireProfile(store, 'openai:k');
    const backup = await removeProfileWithBackup(store, home, p, 1234);
    expect(backup).toBe(join(home, 'backups', 'profile-openai_k-1234.json'));
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(backup, 'utf8'))).toMatchObject({ id: 'openai:k', access: 'fake-key-1' });
    expect(await store.getProfile('openai:k')).toBeNull();
  });

  it('disables and enables; an unknown id is profile_not_found', async () => {
    await saveProfile(store, { id: 'openai:k', type: 'api_key', access: 'fake-key-1' }, { force: false });
    await setProfileEnabled(store, 'openai:k', false);
    expect((await requireProfile(store, 'openai:k')).status).toBe('disabled');
    await setProfileEnabled(store, 'openai:k', true);
    expect((await requireProfile(store, 'openai:k')).status).toBe('ok');
    await expect(setProfileEnabled(store, 'openai:nope', true)).rejects.toSatisfy((e: unknown) =>
      isClawkeepError(e, 'profile_not_found'),
    );
  });
});
