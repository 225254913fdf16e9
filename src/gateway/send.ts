import type { Broker, Credential } from '../broker/broker.js';
import { isClawkeepError } from '../errors.js';
import {
  type Attempt,
  type Candidate,
  type ChainOutcome,
  type Failure,
  failureOf,
  type Send,
} from './attempt.js';
import type { GatewayConfig } from './config.js';
import type { Cooldowns } from './cooldowns.js';
import { BROKER_ERROR_RULES, cooldownFor } from './fallback-rules.js';
import type { MetricLabels } from './labels.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * The upstream call as one `send(candidate)` wrapped by layers, as undici's interceptors wrap
 * `dispatch`: the innermost call gets a credential and talks to the upstream; the credential layer
 * fetches it from the broker and retries once after a 401/403; the cooldown layer skips a resting
 * target and rests one that failed. `runChain` tries candidates in order through the composed send.
 */

/** The innermost call: one upstream request with a credential. */
export type CallWithCredential<T> = (c: Candidate, cred: Credential) => Promise<Attempt<T>>;

/** Gets the candidate's credential; a 401/403 gets one adopt-or-refresh attempt before moving on. */
export function withCredential<T>(broker: Broker, call: CallWithCredential<T>): Send<T> {
  return async function sendWithCredential(c) {
    let cred: Credential;
    try {
      cred = await broker.getCredential(c.profileId);
    } catch (err) {
      return { kind: 'next', failure: brokerFailure(c, err) };
    }
    const out = await call(c, cred);
    if (out.kind !== 'next' || out.failure.reason !== 'auth') return out;
    try {
      const fresh = await broker.refreshRejected(c.profileId, cred.access);
      return await call(c, fresh);
    } catch (err) {
      return { kind: 'next', failure: brokerFailure(c, err) };
    }
  };
}

/** Skips a (profile, model) while it rests; after a failure, rests it as the cooldown table says. */
export function withCooldown<T>(
  deps: { cooldowns: Cooldowns; metrics: GatewayMetrics; config: GatewayConfig; labels: MetricLabels },
  next: Send<T>,
): Send<T> {
  return async function sendWithCooldown(c) {
    const cd = deps.cooldowns.get(c.profileId, c.target.model);
    if (cd) {
      return {
        kind: 'next',
        failure: failureOf(c, 'cooldown', `cooling down after ${cd.reason}`, cd.until - Date.now()),
      };
    }
    const out = await next(c);
    if (out.kind === 'next') {
      const f = out.failure;
      const ms = cooldownFor(f.reason, f.retryAfterMs, deps.config.cooldowns);
      if (ms > 0) {
        deps.cooldowns.set(c.profileId, c.target.model, ms, f.reason);
        deps.metrics.cooldowns.inc({
          target: deps.labels.target(`${c.target.provider}/${c.target.model}`),
          reason: f.reason,
        });
      }
    }
    return out;
  };
}

/** Tries candidates in order until one serves or gives a final answer. */
export async function runChain<T>(candidates: readonly Candidate[], send: Send<T>): Promise<ChainOutcome<T>> {
  const failures: Failure[] = [];
  for (const c of candidates) {
    const out = await send(c);
    if (out.kind === 'served') return { kind: 'served', value: out.value, candidate: c, failures };
    if (out.kind === 'final') return { ...out, candidate: c, failures };
    failures.push(out.failure);
  }
  const cooling = failures.filter((f) => f.reason === 'cooldown');
  const allCooling = candidates.length > 0 && cooling.length === candidates.length;
  const retryAfterMs = cooling.length > 0 ? Math.min(...cooling.map((f) => f.retryAfterMs ?? 1000)) : null;
  return { kind: 'exhausted', failures, allCooling, retryAfterMs };
}

function brokerFailure(c: Candidate, err: unknown): Failure {
  const code = isClawkeepError(err) ? err.code : 'unknown';
  const reason = BROKER_ERROR_RULES[code] ?? 'refresh_failed';
  const detail = isClawkeepError(err)
    ? `${code}${err.details.reason ? ` [${String(err.details.reason)}]` : ''}`
    : (err as Error).message;
  return failureOf(c, reason, detail);
}
