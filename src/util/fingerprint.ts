import { createHash } from 'node:crypto';

/**
 * A loggable stand-in for a secret: the first 8 hex of its sha256 and its length.
 * Two copies of one token share a fingerprint; the token cannot be recovered from it.
 */
export function fingerprint(secret: string | null | undefined): string {
  if (!secret) return '-';
  return `${createHash('sha256').update(secret).digest('hex').slice(0, 8)}/${secret.length}`;
}
