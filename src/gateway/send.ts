import type { Logger } from 'pino';
import type { Broker, Credential } from '../broker/broker.js';
import type { GatewayConfig } from '../config/schema.js';
import { describeCause, isClawkeepError } from '../errors.js';
import {
  type Attempt,
  type Candidate,
  type ChainOutcome,
  type Failure,
  failureOf,
  type Send,
} from './attempt.js';
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

/** What the credential layer reports to besides the client: internal failures are logged and counted. */
export interface CredentialDeps {
  broker: Broker;
  log: Logger;
  metrics: GatewayMetrics;
}

/** Gets the candidate's credential; a 401/403 gets one adopt-or-refresh attempt before moving on. */
export function withCredential<T>(deps: CredentialDeps, call: CallWithCredential<T>): Send<T> {
  const { broker } = deps;
  return async function sendWithCredential(c) {
    let cred: Credential;
    try {
      cred = await broker.getCredential(c.profileId);
    } catch (err) {
      return { kind: 'next', failure: brokerFailure(c, err, deps) };
    }
    const out = await call(c, cred);
    if (out.kind !== 'next' || out.failure.reason !== 'auth') return out;
    try {
      const fresh = await broker.refreshRejected(c.profileId, cred.access);
      return await call(c, fresh);
    } catch (err) {
      return { kind: 'next', failure: brokerFailure(c, err, deps) };
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

/**
 * A broker error as the client sees it: a stable code and one line, never an error's own message
 * unless clawkeep wrote it (a runtime error can quote source text).
 */
function brokerFailure(c: Candidate, err: unknown, deps: CredentialDeps): Failure {
  if (isClawkeepError(err)) {
    const reason = BROKER_ERROR_RULES[err.code];
    const detail = `${err.code}${err.details.reason ? ` [${String(err.details.reason)}]` : ''}`;
    if (reason !== undefined) return failureOf(c, reason, detail);
  }
  const cause = describeCause(err);
  const label = isClawkeepError(err) ? err.code : 'unexpected';
  deps.metrics.internalErrors.inc({ stage: 'refresh', cause: label });
  deps.log.error(
    { profileId: c.profileId, target: c.label, cause, where: whereOf(err) },
    'refresh failed inside clawkeep; the login keeps no cooldown and is tried again on the next request',
  );
  return failureOf(c, 'internal_error', `refresh_failed [internal: ${cause}]`);
}

/** The first stack frame's file and line (no source text), for the log. */
function whereOf(err: unknown): string | null {
  const frame = (err as Error | null)?.stack?.split('\n').find((l) => l.trimStart().startsWith('at '));
  const m = frame?.match(/\(?((?:file:\/\/)?[^()\s]+:\d+:\d+)\)?$/);
  return m?.[1] ?? null;
}
