import { ClawkeepError } from '../errors.js';

/** What the emulator does when a consumed refresh token is presented again. */
export type ReusePolicy = { kind: 'strict' } | { kind: 'grace'; seconds: number } | { kind: 'family' };

const ACCEPTED = ['strict', 'grace:<seconds>', 'family'];

/** Parses `strict`, `grace:30` or `family`; anything else is a `usage` error naming the value. */
export function parseReusePolicy(text: string): ReusePolicy {
  const value = text.trim().toLowerCase();
  if (value === 'strict') return { kind: 'strict' };
  if (value === 'family') return { kind: 'family' };
  const grace = /^grace:(\d+(?:\.\d+)?)$/.exec(value);
  const seconds = grace ? Number(grace[1]) : Number.NaN;
  if (Number.isFinite(seconds) && seconds > 0) return { kind: 'grace', seconds };
  throw new ClawkeepError(
    'usage',
    `invalid reuse policy ${JSON.stringify(text)}: expected one of strict, grace:<seconds> (e.g. grace:30), family`,
    { details: { value: text, accepted: ACCEPTED } },
  );
}

/** The inverse of `parseReusePolicy`. */
export function formatReusePolicy(policy: ReusePolicy): string {
  return policy.kind === 'grace' ? `grace:${policy.seconds}` : policy.kind;
}
