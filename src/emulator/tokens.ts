import { randomBytes } from 'node:crypto';

/** The providers whose OAuth login the emulator stands in for. */
export type OAuthProviderId = 'openai-codex' | 'anthropic';

/** Every provider the emulator serves, including API-key-only ones. */
export type ProviderId = OAuthProviderId | 'openai';

/** `bytes` random bytes as base64url (about 4/3 as many characters). */
export function randomChars(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** An identifier such as `fam_x3…` or `resp_…`; not a secret. */
export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${randomBytes(bytes).toString('hex')}`;
}

// Prefixes are joined at runtime so no source line looks like a real credential.
const ANTHROPIC_PREFIX = ['sk', 'ant'].join('-');

/** A refresh token shaped like the provider's real ones. */
export function newRefreshToken(provider: OAuthProviderId): string {
  if (provider === 'anthropic') return `${ANTHROPIC_PREFIX}-ort01-${randomChars(70)}`;
  return `rt_${randomChars(48)}`;
}

/** An opaque Anthropic OAuth access token. */
export function newAnthropicAccessToken(): string {
  return `${ANTHROPIC_PREFIX}-oat01-${randomChars(70)}`;
}
