import { ClawkeepError } from '../errors.js';
import { createClient } from '../gateway/clients.js';
import { chainsOf } from '../gateway/routing.js';
import type { DashboardDeps } from './api.js';

/** The client name the dashboard's own probe key is stored under (visible in Clients; revocable). */
export const PROBE_CLIENT = 'clawkeep-dashboard';

/**
 * Holds the dashboard's probe key in memory only; a new one replaces the stored one after a restart,
 * keeping its serving policy (a plain client unless the user opted it in: `clients set
 * clawkeep-dashboard --subscription`).
 */
export class RouteProbe {
  #key: string | null = null;

  async key(deps: DashboardDeps): Promise<string> {
    if (this.#key) return this.#key;
    const old = await deps.store.removeClient(PROBE_CLIENT, Date.now());
    const policy = { kind: old?.kind ?? null, subscriptionOptIn: old?.subscriptionOptIn ?? false };
    const { key } = await createClient(deps.store, PROBE_CLIENT, null, Date.now(), policy);
    this.#key = key;
    return key;
  }

  forget(name: string): void {
    if (name === PROBE_CLIENT) this.#key = null;
  }
}

export interface TryResult {
  chain: string;
  status: number;
  ms: number;
  target: string | null;
  profile: string | null;
  fallback: string | null;
  reply: string | null;
  error: string | null;
}

/**
 * Sends a tiny chat request for `chain` through the running gateway, as an agent would, and
 * reports the path it took (served target and profile, the fallbacks on the way).
 */
export async function tryRoute(probe: RouteProbe, deps: DashboardDeps, chain: string): Promise<TryResult> {
  if (!chainsOf(deps.config)[chain]) {
    throw new ClawkeepError(
      'usage',
      `no chain "${chain}" (chains: ${Object.keys(chainsOf(deps.config)).join(', ')})`,
    );
  }
  const started = Date.now();
  const send = async () =>
    fetch(`${deps.gatewayUrl()}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await probe.key(deps)}` },
      body: JSON.stringify({
        model: `chain:${chain}`,
        max_tokens: 16,
        messages: [{ role: 'user', content: 'Reply with the single word: pong' }],
      }),
      signal: AbortSignal.timeout(60_000),
    });
  let res = await send();
  if (res.status === 401) {
    // The probe key was revoked elsewhere (`clawkeep clients rm`): make a new one, once.
    await res.body?.cancel();
    probe.forget(PROBE_CLIENT);
    res = await send();
  }
  const text = await res.text();
  let reply: string | null = null;
  let error: string | null = null;
  try {
    const body = JSON.parse(text) as {
      choices?: Array<{ message?: { content?: string } }>;
      error?: { message?: string };
    };
    reply = body.choices?.[0]?.message?.content ?? null;
    error = body.error?.message ?? null;
  } catch {
    error = `the gateway answered ${res.status} with a body that is not JSON`;
  }
  return {
    chain,
    status: res.status,
    ms: Date.now() - started,
    target: res.headers.get('x-clawkeep-target'),
    profile: res.headers.get('x-clawkeep-profile'),
    fallback: res.headers.get('x-clawkeep-fallback'),
    reply: reply?.slice(0, 200) ?? null,
    error: error?.slice(0, 500) ?? null,
  };
}
