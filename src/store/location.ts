import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { readEnvVar } from '../config/env.js';
import { findConfigFile } from '../config/schema.js';
import { ClawkeepError } from '../errors.js';
import { isPostgresUrl, redactUrl } from './postgres/url.js';

const require = createRequire(import.meta.url);

export const STORE_FILE = 'clawkeep.sqlite';

/** Where a home's store lives and who said so (for messages). Never holds a password in `describe`. */
export type StoreLocation =
  | { kind: 'sqlite'; path: string; source: string }
  | { kind: 'postgres'; url: string; passwordFile: string | null; source: string };

/**
 * Picks the store: `--store`, else `$CLAWKEEP_STORE`, else `store:` in the home's config, else
 * `<home>/clawkeep.sqlite`. A value is a `postgres://…` URL or a SQLite file path (`sqlite:` prefix
 * optional). The password may instead come from `$CLAWKEEP_STORE_PASSWORD_FILE`, the config's
 * `store.passwordFile`, PGPASSFILE or PGPASSWORD.
 */
export function resolveStoreLocation(
  home: string,
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): StoreLocation {
  const passwordFile = readEnvVar('CLAWKEEP_STORE_PASSWORD_FILE', env) ?? null;
  if (explicit) return parseLocation(explicit, '--store', process.cwd(), passwordFile);
  const fromEnv = readEnvVar('CLAWKEEP_STORE', env);
  if (fromEnv) return parseLocation(fromEnv, 'CLAWKEEP_STORE', process.cwd(), passwordFile);
  const fromConfig = readConfigStore(home, env);
  if (fromConfig) {
    return parseLocation(fromConfig.value, fromConfig.source, home, passwordFile ?? fromConfig.passwordFile);
  }
  return { kind: 'sqlite', path: join(home, STORE_FILE), source: 'default' };
}

/** A location for messages: the path, or the URL with its password masked. */
export function describeLocation(l: StoreLocation): string {
  return l.kind === 'sqlite' ? l.path : redactUrl(l.url);
}

export function parseLocation(
  value: string,
  source: string,
  base: string,
  passwordFile: string | null = null,
): StoreLocation {
  const v = value.trim();
  if (isPostgresUrl(v)) return { kind: 'postgres', url: v, passwordFile, source };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !/^sqlite:/i.test(v)) {
    throw new ClawkeepError(
      'config_invalid',
      `${source}: unsupported store "${redactUrl(v)}". Use postgres://user@host:5432/database or a SQLite file path.`,
      { details: { source, store: redactUrl(v) } },
    );
  }
  const path = v.replace(/^sqlite:(\/\/)?/i, '');
  if (!path) {
    throw new ClawkeepError('config_invalid', `${source}: empty store location`, { details: { source } });
  }
  return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(base, path), source };
}

/** The `store` key of the home's config file: a string, or `{ url, passwordFile }`. */
function readConfigStore(
  home: string,
  env: NodeJS.ProcessEnv,
): { value: string; passwordFile: string | null; source: string } | null {
  const file = findConfigFile(home, env);
  if (!file) return null;
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    // yaml is loaded only when there is a YAML config: every command opens the store.
    raw = file.endsWith('.json') ? JSON.parse(text) : (require('yaml') as typeof import('yaml')).parse(text);
  } catch {
    return null; // The config loader reports unreadable or invalid files with their details.
  }
  const store = (raw as { store?: unknown } | null)?.store;
  if (store === undefined || store === null) return null;
  const source = `${file}: store`;
  if (typeof store === 'string') return { value: store, passwordFile: null, source };
  if (typeof store === 'object' && typeof (store as { url?: unknown }).url === 'string') {
    const pf = (store as { passwordFile?: unknown }).passwordFile;
    if (pf !== undefined && typeof pf !== 'string') {
      throw new ClawkeepError('config_invalid', `${source}.passwordFile: expected a file path`, {
        details: { file },
      });
    }
    return {
      value: (store as { url: string }).url,
      passwordFile: pf ? resolve(home, pf) : null,
      source,
    };
  }
  throw new ClawkeepError(
    'config_invalid',
    `${source}: expected "postgres://user@host:5432/database", a SQLite file path, or { url, passwordFile }`,
    { details: { file } },
  );
}
