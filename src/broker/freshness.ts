import { readJwtClaims } from '../util/jwt.js';

/** The fields that order two copies of one account's credential. */
export interface FreshnessFacts {
  access: string | null;
  expires: number | null;
  updatedAt?: number | null;
}

/**
 * The freshness order (docs/refresh-protocol.md): access-token JWT `iat`, then JWT `exp`, then `expires`, then
 * `updatedAt`. Positive when `a` is fresher than `b`, negative when older, 0 when undecidable.
 */
export function compareFreshness(a: FreshnessFacts, b: FreshnessFacts): number {
  const ca = readJwtClaims(a.access);
  const cb = readJwtClaims(b.access);
  for (const [x, y] of [
    [ca?.iat, cb?.iat],
    [ca?.exp, cb?.exp],
    [a.expires, b.expires],
    [a.updatedAt, b.updatedAt],
  ] as const) {
    if (typeof x === 'number' && typeof y === 'number' && x !== y) return x - y;
  }
  return 0;
}

/** The freshest of several copies (the first wins a tie, so callers control precedence). */
export function pickFreshest<T extends FreshnessFacts>(copies: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const c of copies) if (!best || compareFreshness(c, best) > 0) best = c;
  return best;
}
