import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emulator } from '../../src/emulator/index.js';
import { readJwtClaims } from '../../src/util/jwt.js';

const CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
const REDIRECT = 'http://localhost:1455/auth/callback';

/** Signs in at the emulator the way Codex CLI does (code + PKCE) and returns its token answer. */
export async function codexLogin(emu: Emulator, email: string) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${emu.url}/openai-codex/oauth/authorize`);
  const q = {
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 's',
    login_hint: email,
  };
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const tok = await fetch(`${emu.url}/openai-codex/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    }).toString(),
  });
  return (await tok.json()) as { access_token: string; refresh_token: string; id_token: string };
}

/** Writes `<dir>/auth.json` as Codex CLI does (pretty JSON, 0600), plus an unknown field to keep. */
export function writeCodexAuth(
  dir: string,
  t: { access_token: string; refresh_token: string; id_token: string },
) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'auth.json');
  const doc = {
    auth_mode: 'chatgpt',
    OPENAI_API_KEY: null,
    tokens: { id_token: t.id_token, access_token: t.access_token, refresh_token: t.refresh_token },
    last_refresh: new Date().toISOString(),
    future_field: { kept: true },
  };
  writeFileSync(path, JSON.stringify(doc, null, 2), { mode: 0o600 });
  return path;
}

/**
 * Resolves once the clock has left the second `jwt` was issued in: JWT `iat` has a one-second
 * resolution, so a token issued from then on is visibly newer.
 */
export async function pastIssueSecond(jwt: string): Promise<void> {
  const iat = readJwtClaims(jwt)?.iat;
  if (typeof iat !== 'number') throw new Error('not a JWT with an iat');
  while (Math.floor(Date.now() / 1000) <= iat) await sleep(1000 - (Date.now() % 1000));
}
