import type { ModelAdapter } from './adapter.js';
import type { FallbackReason } from './fallback-rules.js';
import type { Target } from './routing.js';

/** One (target, profile) pair of a chain, in the order it will be tried. */
export interface Candidate {
  target: Target;
  profileId: string;
  adapter: ModelAdapter;
  /** `provider/model@profile`: how headers, events, logs and metrics name it. */
  label: string;
}

/** Why one candidate did not serve: the fallback it causes. */
export interface Failure {
  label: string;
  profileId: string | null;
  reason: FallbackReason;
  detail: string;
  retryAfterMs: number | null;
}

/** A target left out before anything was tried (no adapter, no profile): reported, never a fallback. */
export interface Skip {
  label: string;
  detail: string;
  /** When the target can serve again (epoch ms): a login whose quota is used up. */
  retryAt?: number;
}

/** What trying one candidate produced. */
export type Attempt<T> =
  | { kind: 'served'; value: T }
  | { kind: 'next'; failure: Failure }
  /** An upstream answer that is the client's to see (a 4xx that no other target would fix). */
  | { kind: 'final'; status: number; body: string; contentType: string };

/** Tries one candidate; the layers of `send.ts` wrap it. */
export type Send<T> = (c: Candidate) => Promise<Attempt<T>>;

export type ChainOutcome<T> =
  | { kind: 'served'; value: T; candidate: Candidate; failures: Failure[] }
  | {
      kind: 'final';
      status: number;
      body: string;
      contentType: string;
      candidate: Candidate;
      failures: Failure[];
    }
  | { kind: 'exhausted'; failures: Failure[]; allCooling: boolean; retryAfterMs: number | null };

export function failureOf(
  c: Candidate,
  reason: FallbackReason,
  detail: string,
  retryAfterMs: number | null = null,
): Failure {
  return { label: c.label, profileId: c.profileId, reason, detail, retryAfterMs };
}
