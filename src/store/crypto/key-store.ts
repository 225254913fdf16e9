import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readEnv } from '../../config/env.js';
import { ClawkeepError } from '../../errors.js';
import { assertNoSymlinkBelow, fsyncDir, writeNewPrivateFile } from '../../util/files.js';
import { KEY_BYTES, keyIdOf } from './token-cipher.js';

/** Where a store key is kept: a 0600 file under the home, the OS keyring, or the environment. */
export type KeyStoreKind = 'file' | 'keyring' | 'env';

/** Where to look for keys: the clawkeep home (key files) and the environment. */
export interface KeyLookup {
  home: string;
  env?: NodeJS.ProcessEnv;
}

const KEYRING_SERVICE = 'clawkeep-store-key';
const KEY_DIR = 'keys';

export function keyDir(home: string): string {
  return join(home, KEY_DIR);
}

export function keyFilePath(home: string, keyId: string): string {
  return join(keyDir(home), `${keyId}.key`);
}

export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Parses a key given as text (base64 or 64 hex digits); the error names where it came from, never the value. */
export function parseKeyText(text: string, source: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== KEY_BYTES || (!/^[0-9a-f]{64}$/i.test(t) && key.toString('base64') !== t)) {
    throw new ClawkeepError(
      'config_invalid',
      `${source} is not a store key: expected ${KEY_BYTES} bytes as base64 (44 characters) or 64 hex digits`,
      { details: { source }, hint: 'generate one with: openssl rand -base64 32' },
    );
  }
  return key;
}

/** The key `CLAWKEEP_STORE_KEY` (or `CLAWKEEP_STORE_NEW_KEY`) holds, if set. */
export function envKey(
  name: 'CLAWKEEP_STORE_KEY' | 'CLAWKEEP_STORE_NEW_KEY',
  env = process.env,
): Buffer | null {
  const v = readEnv(env)[name];
  return v ? parseKeyText(v, name) : null;
}

/**
 * Finds the key with this id: the environment first, then the home's key file, then the OS keyring.
 * Returns null when none holds it.
 */
export function findKey(lookup: KeyLookup, keyId: string): Buffer | null {
  for (const name of ['CLAWKEEP_STORE_KEY', 'CLAWKEEP_STORE_NEW_KEY'] as const) {
    const k = envKey(name, lookup.env);
    if (k && keyIdOf(k) === keyId) return k;
  }
  const file = keyFilePath(lookup.home, keyId);
  if (existsSync(file)) {
    const k = parseKeyText(readFileSync(file, 'utf8'), file);
    if (keyIdOf(k) === keyId) return k;
    throw new ClawkeepError(
      'store_key_missing',
      `${file} holds a different key than its name says (${keyId})`,
      {
        details: { path: file, keyId },
        hint: 'restore that file from a backup; a key file must never be edited',
      },
    );
  }
  const fromKeyring = keyringEntry(keyId, { quiet: true })?.getPassword();
  return fromKeyring ? parseKeyText(fromKeyring, `the OS keyring entry ${KEYRING_SERVICE}/${keyId}`) : null;
}

/** Keeps a new key where `kind` says; never overwrites an existing one. Returns where it went. */
export function saveKey(kind: KeyStoreKind, lookup: KeyLookup, key: Buffer): string {
  const keyId = keyIdOf(key);
  if (kind === 'env') return 'CLAWKEEP_STORE_KEY';
  if (kind === 'keyring') {
    const entry = keyringEntry(keyId, { quiet: false })!;
    try {
      entry.setPassword(key.toString('base64'));
    } catch (err) {
      throw keyringError(err);
    }
    return `the OS keyring (${KEYRING_SERVICE}/${keyId})`;
  }
  const file = keyFilePath(lookup.home, keyId);
  assertNoSymlinkBelow(lookup.home, file);
  if (!existsSync(file)) writeNewPrivateFile(file, `${key.toString('base64')}\n`);
  return file;
}

/** Removes a key clawkeep kept (a retired one after `rotate-key`); the environment is the user's to change. */
export function forgetKey(lookup: KeyLookup, keyId: string): void {
  const file = keyFilePath(lookup.home, keyId);
  if (existsSync(file)) {
    assertNoSymlinkBelow(lookup.home, file);
    unlinkSync(file);
    fsyncDir(keyDir(lookup.home));
  }
  try {
    keyringEntry(keyId, { quiet: true })?.deletePassword();
  } catch {
    // Not in the keyring: nothing to forget there.
  }
}

/** Key ids with a key file under the home. */
export function listKeyFiles(home: string): string[] {
  try {
    return readdirSync(keyDir(home))
      .filter((n) => n.endsWith('.key'))
      .map((n) => n.slice(0, -'.key'.length));
  } catch {
    return [];
  }
}

interface KeyringEntry {
  getPassword(): string | null | undefined;
  setPassword(password: string): void;
  deletePassword(): boolean | undefined;
}

/** The OS keyring's entry for a key (macOS Keychain, Windows Credential Manager, Secret Service). */
function keyringEntry(keyId: string, o: { quiet: boolean }): KeyringEntry | null {
  let Entry: new (service: string, account: string) => KeyringEntry;
  try {
    ({ Entry } = createRequire(import.meta.url)('@napi-rs/keyring') as {
      Entry: new (service: string, account: string) => KeyringEntry;
    });
  } catch (err) {
    if (o.quiet) return null;
    throw keyringError(err);
  }
  const entry = new Entry(KEYRING_SERVICE, keyId);
  if (!o.quiet) return entry;
  return {
    getPassword: () => {
      try {
        return entry.getPassword();
      } catch {
        return null;
      }
    },
    setPassword: (p) => entry.setPassword(p),
    deletePassword: () => entry.deletePassword(),
  };
}

function keyringError(err: unknown): ClawkeepError {
  return new ClawkeepError(
    'keyring_unavailable',
    `the OS keyring is not available here (${err instanceof Error ? err.message : String(err)})`,
    {
      cause: err,
      hint: 'keep the key in a file under the home (--key-store file) or in CLAWKEEP_STORE_KEY (--key-store env)',
    },
  );
}
