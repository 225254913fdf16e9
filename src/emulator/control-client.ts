import type { z } from 'zod';
import type { FaultRuleSchema } from './faults.js';
import type { RecordedRequest } from './recorder.js';
import type { EmulatorStats } from './stats.js';
import type { OAuthProviderId } from './tokens.js';

/** What `POST /_emulator/mint` returns: an OAuth profile as clawkeep stores it, plus its family id. */
export interface MintedProfile {
  familyId: string;
  type: 'oauth';
  provider: OAuthProviderId;
  access: string;
  refresh: string;
  /** Access-token expiry, epoch ms. */
  expires: number;
  accountId: string;
  email: string;
}

export type FaultRuleInput = z.input<typeof FaultRuleSchema>;

/** A typed client for a running emulator's `/_emulator/*` control plane (tests, demos, benchmarks). */
export class EmulatorControl {
  readonly #url: string;

  constructor(url: string) {
    this.#url = url.replace(/\/+$/, '');
  }

  mint(input: { provider: OAuthProviderId; email?: string; accountId?: string }): Promise<MintedProfile> {
    return this.#call('POST', '/_emulator/mint', input);
  }

  /** Fills a login's quota windows (percent); at 100 its model calls answer 429 until the reset. */
  /** Revokes the login a refresh token belongs to, as the provider would. */
  async revoke(refresh: string): Promise<void> {
    await this.#call('POST', '/_emulator/revoke', { refresh });
  }

  async setQuota(input: {
    provider: OAuthProviderId;
    accountId: string;
    primaryPercent?: number;
    secondaryPercent?: number;
  }): Promise<void> {
    await this.#call('POST', '/_emulator/quotas', input);
  }

  async addFault(rule: FaultRuleInput): Promise<void> {
    await this.#call('POST', '/_emulator/faults', rule);
  }

  async clearFaults(): Promise<void> {
    await this.#call('DELETE', '/_emulator/faults');
  }

  configure(change: {
    reuse?: string;
    accessTtlSeconds?: number;
  }): Promise<{ reuse: string; accessTtlSeconds: number }> {
    return this.#call('POST', '/_emulator/config', change);
  }

  stats(): Promise<EmulatorStats> {
    return this.#call('GET', '/_emulator/stats');
  }

  /**
   * The model-endpoint requests the emulator received, oldest first (the last 200). `path` keeps
   * those to one path (without query), or to a prefix when it ends in `*`.
   */
  async requests(filter: { path?: string } = {}): Promise<RecordedRequest[]> {
    const query = filter.path === undefined ? '' : `?path=${encodeURIComponent(filter.path)}`;
    const { requests } = await this.#call<{ requests: RecordedRequest[] }>(
      'GET',
      `/_emulator/requests${query}`,
    );
    return requests;
  }

  /** The most recent recorded request (optionally on `path`), or undefined. */
  async lastRequest(filter: { path?: string } = {}): Promise<RecordedRequest | undefined> {
    return (await this.requests(filter)).at(-1);
  }

  async clearRequests(): Promise<void> {
    await this.#call('DELETE', '/_emulator/requests');
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.#url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }
}
