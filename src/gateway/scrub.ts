/** Secrets shorter than this are not scrubbed: they would match ordinary text. */
const MIN_SECRET_LENGTH = 8;

/**
 * Replaces every occurrence of each secret in `text` with `[redacted]`. Used on upstream answers
 * passed to a client, which may quote the request's credential back.
 */
export function scrubSecrets(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join('[redacted]');
  }
  return out;
}
