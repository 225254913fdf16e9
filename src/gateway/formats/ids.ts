import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A fresh id in the style providers use: `prefix` + `separator` + 24 random alphanumerics. */
export function newId(prefix: string, separator = '_'): string {
  const bytes = randomBytes(24);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return `${prefix}${separator}${out}`;
}

/** `id` when it already looks like one of this API's ids, else a fresh one (clients may parse prefixes). */
export function idFor(id: string, prefix: string, separator = '_'): string {
  return id.startsWith(`${prefix}${separator}`) ? id : newId(prefix, separator);
}
