import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type OpenAIInvalid, openaiInvalid } from './openai-invalid.js';

/**
 * The `encrypted_content` of reasoning items: opaque to clients, verifiable only by the emulator
 * that issued it (a fresh key per emulator, as real content only verifies where it was made).
 */
export class ContentSealer {
  readonly #key = randomBytes(32);

  seal(payload: Record<string, unknown>): string {
    const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `gAAAAB${data}.${this.#mac(data)}`;
  }

  verify(sealed: string): boolean {
    const match = /^gAAAAB([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(sealed);
    if (!match?.[1] || !match[2]) return false;
    const want = Buffer.from(this.#mac(match[1]));
    const got = Buffer.from(match[2]);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  #mac(data: string): string {
    return createHmac('sha256', this.#key).update(data).digest('base64url').slice(0, 22);
  }
}

/** The first reasoning item's `encrypted_content` this sealer did not issue (or that was altered), if any. */
export function firstUnverified(input: unknown, sealer: ContentSealer): string | undefined {
  if (!Array.isArray(input)) return undefined;
  for (const item of input) {
    if (!item || typeof item !== 'object' || (item as { type?: unknown }).type !== 'reasoning') continue;
    const sealed = (item as { encrypted_content?: unknown }).encrypted_content;
    if (typeof sealed === 'string' && !sealer.verify(sealed)) return sealed;
  }
  return undefined;
}

/** How the API shows the content in its error: `gAAA...DQ==`. */
export function abbreviate(sealed: string): string {
  return sealed.length <= 8 ? sealed : `${sealed.slice(0, 4)}...${sealed.slice(-4)}`;
}

/** The API's 400 for a reasoning item whose content this emulator cannot verify, or null. */
export function unverifiedContentError(input: unknown, sealer: ContentSealer): OpenAIInvalid | null {
  const bad = firstUnverified(input, sealer);
  return bad === undefined
    ? null
    : openaiInvalid(
        `The encrypted content ${abbreviate(bad)} could not be verified.`,
        null,
        'invalid_encrypted_content',
      );
}
