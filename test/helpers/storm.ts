import { collect, STORM_WORKER, startNode } from './processes.js';

export interface StormResult {
  tokens: Map<string, number>;
  errors: Map<string, number>;
  callers: number;
}

/**
 * Starts `procs` OS processes at once, each making `perProcess` concurrent getAccessToken calls.
 * `envFor(i)` adds per-process variables, e.g. `CLAWKEEP_HOST_ID` to stand in for hosts of a fleet
 * and `CLAWKEEP_STORE` to share one PostgreSQL.
 */
export async function runStorm(
  home: string,
  profileId: string,
  procs: number,
  perProcess: number,
  env: Record<string, string>,
  envFor: (i: number) => Record<string, string> = () => ({}),
): Promise<StormResult> {
  const children = Array.from({ length: procs }, (_, i) =>
    collect(
      startNode(STORM_WORKER, [home, profileId, String(perProcess)], { env: { ...env, ...envFor(i) } }),
    ),
  );
  const tokens = new Map<string, number>();
  const errors = new Map<string, number>();
  let callers = 0;
  for (const r of await Promise.all(children)) {
    if (r.code !== 0) throw new Error(`storm worker exited ${r.code}: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { tokens: Record<string, number>; errors: Record<string, number> };
    for (const [t, n] of Object.entries(out.tokens)) {
      tokens.set(t, (tokens.get(t) ?? 0) + n);
      callers += n;
    }
    for (const [c, n] of Object.entries(out.errors)) {
      errors.set(c, (errors.get(c) ?? 0) + n);
      callers += n;
    }
  }
  return { tokens, errors, callers };
}
