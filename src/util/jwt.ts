import { decodeJwt, type JWTPayload } from 'jose';

/** Decodes a JWT's claims without verifying it (we only read times and ids); null for opaque tokens. */
export function readJwtClaims(token: string | null | undefined): JWTPayload | null {
  if (token?.split('.').length !== 3) return null;
  try {
    return decodeJwt(token as string);
  } catch {
    return null;
  }
}

/** Reads a nested claim such as `https://api.openai.com/auth` → `chatgpt_account_id`. */
export function readNestedClaim(claims: JWTPayload | null, ns: string, key: string): string | null {
  const bag = claims?.[ns];
  if (!bag || typeof bag !== 'object') return null;
  const v = (bag as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : null;
}
