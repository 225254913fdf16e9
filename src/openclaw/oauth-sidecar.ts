import { createDecipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { readJsonObject } from './json-files.js';
import type { OpenClawProfile, ReadResult, StoreRef } from './types.js';

/**
 * OpenClaw's OAuth sidecars (openclaw#81944; a legacy format by 2026.8, whose runtime no longer reads
 * them: only its doctor moves them back inline). A profile record `{type:"oauth", oauthRef:{source:
 * "openclaw-credentials", provider:"openai-codex", id:<32 hex>}}` keeps its tokens in
 * `<state>/credentials/auth-profiles/<id>.json` (`$OPENCLAW_OAUTH_DIR/auth-profiles/` when set):
 * `{version:1, profileId, provider, access?, refresh?, idToken?}` or the same with
 * `encrypted:{algorithm:"aes-256-gcm", iv, tag, ciphertext}` (base64url). clawkeep decrypts only with
 * the key OpenClaw itself would use on this host (`OPENCLAW_AUTH_PROFILE_SECRET_KEY`, or its key file
 * outside the state dir); a sidecar it cannot open is reported, never guessed at.
 */
export interface OAuthRef {
  id: string;
}

export function legacyOAuthRef(p: OpenClawProfile): OAuthRef | null {
  const r = p.raw.oauthRef as Record<string, unknown> | undefined;
  if (!r || typeof r !== 'object') return null;
  return r.source === 'openclaw-credentials' &&
    r.provider === 'openai-codex' &&
    typeof r.id === 'string' &&
    /^[a-f0-9]{32}$/.test(r.id)
    ? { id: r.id }
    : null;
}

/** The state dir a store belongs to (sidecars live under its `credentials/`). */
export function stateDirOf(store: StoreRef): string {
  return store.kind === 'shared-sqlite'
    ? join(store.path, '..', '..')
    : join(store.path, '..', '..', '..', '..');
}

export function sidecarPath(stateDir: string, ref: OAuthRef, env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.OPENCLAW_OAUTH_DIR?.trim() || join(stateDir, 'credentials');
  return join(dir, 'auth-profiles', `${ref.id}.json`);
}

/**
 * Reads one sidecar as a copy of the profile that references it (`record`: its expiry and account
 * fields are the record's, the tokens the sidecar's).
 */
export function readOAuthSidecar(
  store: StoreRef & { kind: 'legacy' },
  record: OpenClawProfile | null,
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ReadResult {
  const r = readJsonObject(store.path);
  if (!r.ok) return r;
  const doc = r.doc;
  const profileId = typeof doc.profileId === 'string' ? doc.profileId : null;
  if (doc.version !== 1 || !profileId || doc.provider !== 'openai-codex') {
    return bad(
      store.path,
      'wrong_shape',
      `${store.path} is not an OpenClaw OAuth sidecar (version 1, profileId, provider)`,
    );
  }
  let material: Record<string, unknown> | null = doc;
  const enc = doc.encrypted as Record<string, unknown> | undefined;
  if (enc !== undefined) {
    material = decrypt(enc, basename(store.path, '.json'), profileId, stateDir, env);
    if (!material) {
      return bad(
        store.path,
        'sidecar_locked',
        `${store.path} is encrypted with OpenClaw's auth-profile key, which is not available to clawkeep here (OPENCLAW_AUTH_PROFILE_SECRET_KEY, ~/.config/openclaw/auth-profile-secret-key, or the macOS Keychain); left untouched`,
      );
    }
  }
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : null);
  const access = str(material.access);
  const refresh = str(material.refresh);
  const raw: Record<string, unknown> = {
    type: 'oauth',
    provider: record?.provider ?? 'openai-codex',
    ...(access ? { access } : {}),
    ...(refresh ? { refresh } : {}),
    ...(str(material.idToken) ? { idToken: material.idToken } : {}),
    ...(record?.expires ? { expires: record.expires } : {}),
  };
  const profile: OpenClawProfile = {
    id: record?.id ?? profileId,
    type: 'oauth',
    provider: String(raw.provider),
    access,
    refresh,
    expires: record?.expires ?? null,
    accountId: record?.accountId ?? null,
    email: record?.email ?? null,
    secret: null,
    raw,
  };
  return { ok: true, contents: { store, profiles: [profile], updatedAt: r.mtimeMs } };
}

function decrypt(
  enc: Record<string, unknown>,
  refId: string,
  profileId: string,
  stateDir: string,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> | null {
  if (enc.algorithm !== 'aes-256-gcm') return null;
  const [iv, tag, ct] = [enc.iv, enc.tag, enc.ciphertext];
  if (typeof iv !== 'string' || typeof tag !== 'string' || typeof ct !== 'string') return null;
  for (const seed of keySeeds(stateDir, env)) {
    try {
      const key = createHash('sha256').update(`openclaw:auth-profile-oauth:${seed}`).digest();
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      d.setAAD(Buffer.from(`${refId}\0${profileId}\0openai-codex`, 'utf8'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
    } catch {
      // Not this key: try the next one OpenClaw would.
    }
  }
  return null;
}

/** OpenClaw's own key sources, in its order; its key file never counts when it sits inside the state dir. */
function keySeeds(stateDir: string, env: NodeJS.ProcessEnv): string[] {
  const seeds: string[] = [];
  const add = (v: string | undefined) => {
    const t = v?.trim();
    if (t && !seeds.includes(t)) seeds.push(t);
  };
  add(env.OPENCLAW_AUTH_PROFILE_SECRET_KEY);
  const home = env.HOME?.trim() || homedir();
  const candidates =
    process.platform === 'darwin'
      ? [join(home, 'Library/Application Support/OpenClaw/auth-profile-secret-key')]
      : [join(env.XDG_CONFIG_HOME?.trim() || join(home, '.config'), 'openclaw', 'auth-profile-secret-key')];
  candidates.push(join(home, '.openclaw-auth-profile-secrets', 'auth-profile-secret-key'));
  const file = candidates.find((c) => relative(stateDir, c).startsWith('..'));
  if (file) {
    try {
      add(readFileSync(file, 'utf8'));
    } catch {
      // No key file: OpenClaw would not have one either.
    }
  }
  return seeds;
}

function bad(path: string, code: 'wrong_shape' | 'sidecar_locked', message: string): ReadResult {
  return { ok: false, problem: { path, code, message } };
}
