import { existsSync } from 'node:fs';
import { ClawkeepError } from '../../errors.js';
import { invokedAs } from '../../util/invoked-as.js';
import { isPidAlive } from '../../util/pid.js';
import { backupsDir } from '../profile-admin.js';
import { journalDirFor, RotationJournal } from '../rotation-journal.js';
import type { Store } from '../types.js';
import {
  envKey,
  findKey,
  forgetKey,
  generateKey,
  type KeyLookup,
  type KeyStoreKind,
  keyFilePath,
  saveKey,
} from './key-store.js';
import { resealBackups } from './sealed-backups.js';
import { keyIdOf } from './token-cipher.js';
import { TokenCodec } from './token-codec.js';

export interface EncryptionChange {
  /** The key now in use; null after `decrypt`. */
  keyId: string | null;
  /** The key used before; null when the tokens were plaintext. */
  previousKeyId: string | null;
  /** Where the new key is kept (a file path, the keyring entry, or the environment variable). */
  keptIn: string | null;
  profiles: number;
  /** Backup files of removed profiles re-sealed to match. */
  backups: string[];
  /** Pending-rotation journal files re-sealed to match. */
  pending: string[];
  /** A retired key clawkeep removed after nothing used it any more. */
  forgot: string | null;
  /** A retired key kept because a rotation in flight or a journal file may still need it. */
  keptOld: string | null;
}

/**
 * Turns on encryption at rest: a new key (or `CLAWKEEP_STORE_KEY` with `keyStore: 'env'`) is kept
 * first, then every token column is sealed in one transaction, then removed-profile backups.
 */
export async function encryptStore(
  store: Store,
  lookup: KeyLookup,
  o: { keyStore: KeyStoreKind | 'auto'; now?: number; platform?: NodeJS.Platform },
): Promise<EncryptionChange> {
  const current = await store.tokenKeyId();
  if (current !== null) {
    throw new ClawkeepError('usage', `the store is already encrypted (key ${current})`, {
      hint: `to change the key: ${invokedAs()} store rotate-key`,
    });
  }
  const key = o.keyStore === 'env' ? requireEnvKey('CLAWKEEP_STORE_KEY', lookup) : generateKey();
  return switchKey(
    store,
    lookup,
    null,
    key,
    o.keyStore === 'auto' ? autoKeyStore(o.platform) : o.keyStore,
    o.now ?? Date.now(),
  );
}

/** Turns encryption off: every token column back to plaintext in one transaction; keys are kept. */
export async function decryptStore(
  store: Store,
  lookup: KeyLookup,
  now = Date.now(),
): Promise<EncryptionChange> {
  const current = await store.tokenKeyId();
  if (current === null) throw new ClawkeepError('usage', 'the store is not encrypted; nothing to decrypt');
  return switchKey(store, lookup, current, null, null, now);
}

/**
 * Seals every token with a new key in one transaction, re-seals backups, then forgets the old key
 * (the file or keyring entry clawkeep kept). With `keyStore: 'env'` the new key comes from
 * `CLAWKEEP_STORE_NEW_KEY`; the user then moves it to `CLAWKEEP_STORE_KEY`.
 */
export async function rotateStoreKey(
  store: Store,
  lookup: KeyLookup,
  o: { keyStore?: KeyStoreKind; now?: number } = {},
): Promise<EncryptionChange> {
  const current = await store.tokenKeyId();
  if (current === null) {
    throw new ClawkeepError('usage', 'the store is not encrypted; there is no key to rotate', {
      hint: `${invokedAs()} store encrypt`,
    });
  }
  const kind =
    o.keyStore ?? (envKey('CLAWKEEP_STORE_NEW_KEY', lookup.env) ? 'env' : keptWhere(lookup, current));
  const key = kind === 'env' ? requireEnvKey('CLAWKEEP_STORE_NEW_KEY', lookup) : generateKey();
  return switchKey(store, lookup, current, key, kind, o.now ?? Date.now());
}

async function switchKey(
  store: Store,
  lookup: KeyLookup,
  from: string | null,
  key: Buffer | null,
  kind: KeyStoreKind | 'keyring-or-file' | null,
  now: number,
): Promise<EncryptionChange> {
  const codec = new TokenCodec(lookup);
  // The old key must open every token before anything changes.
  if (from !== null) codec.cipher(from);
  const keyId = key === null ? null : keyIdOf(key);
  // Kept before the store names it: a crash in between leaves a spare key, never sealed tokens without one.
  const keptIn = key === null || kind === null ? null : keepKey(kind, lookup, key);
  if (key !== null && findKey(lookup, keyIdOf(key)) === null) {
    throw new ClawkeepError(
      'store_key_missing',
      `the new key ${keyId} was kept in ${keptIn} but cannot be read back`,
      {
        hint: 'nothing was changed; check the key store and try again',
      },
    );
  }
  const { profiles } = await store.rekeyTokens(keyId, now);
  const backups = resealBackups(lookup.home, backupsDir(lookup.home), codec, keyId);
  const journalDir = journalDirFor(store.location);
  const journal = journalDir ? new RotationJournal(journalDir, undefined, codec) : null;
  const pending = journal?.reseal(keyId) ?? [];
  let forgot: string | null = null;
  let keptOld: string | null = null;
  if (from !== null && key !== null && from !== keyId) {
    // A broker reads the store's key only after its reservation file exists: one that read the old
    // key shows here as a live reservation, and seals its rotated tokens with that key.
    if (journal && (rotationInFlight(journal) || journal.keyIdsInUse().has(from))) keptOld = from;
    else {
      forgetKey(lookup, from);
      forgot = from;
    }
  }
  return { keyId, previousKeyId: from, keptIn, profiles, backups, pending, forgot, keptOld };
}

function rotationInFlight(journal: RotationJournal): boolean {
  return journal.listReservations().some((r) => r.pid === null || isPidAlive(r.pid));
}

/**
 * Where a new key goes by default: the OS keyring on macOS and Windows (Keychain, Credential Manager),
 * a 0600 file under the home elsewhere. On Linux the keyring may be the kernel's session keyring,
 * which a reboot empties: a key kept only there would lock every token away.
 */
function autoKeyStore(platform: NodeJS.Platform = process.platform): KeyStoreKind | 'keyring-or-file' {
  return platform === 'darwin' || platform === 'win32' ? 'keyring-or-file' : 'file';
}

function keepKey(kind: KeyStoreKind | 'keyring-or-file', lookup: KeyLookup, key: Buffer): string {
  if (kind !== 'keyring-or-file') return saveKey(kind, lookup, key);
  try {
    return saveKey('keyring', lookup, key);
  } catch (err) {
    if (!(err instanceof ClawkeepError) || err.code !== 'keyring_unavailable') throw err;
    return saveKey('file', lookup, key);
  }
}

function requireEnvKey(name: 'CLAWKEEP_STORE_KEY' | 'CLAWKEEP_STORE_NEW_KEY', lookup: KeyLookup): Buffer {
  const key = envKey(name, lookup.env);
  if (!key) {
    throw new ClawkeepError('usage', `--key-store env needs the key in ${name}`, {
      hint: `export ${name}="$(openssl rand -base64 32)" and keep it where every host that opens the store can set it`,
    });
  }
  return key;
}

/** Where the current key is kept, so its successor goes to the same place. */
function keptWhere(lookup: KeyLookup, keyId: string): KeyStoreKind {
  const env = envKey('CLAWKEEP_STORE_KEY', lookup.env);
  if (env && keyIdOf(env) === keyId) return 'env';
  return existsSync(keyFilePath(lookup.home, keyId)) ? 'file' : 'keyring';
}
